"""How much business time is left before a thread's first answer is due (for the inbox's countdown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext

from kopiena.core import business_time
from kopiena.inbox.models import Thread


@dataclass(frozen=True)
class SlaState:
    """Business ``seconds`` left for the answer we owe (negative: overdue); None when nothing is owed."""

    seconds: float | None
    answered: bool

    @property
    def overdue(self) -> bool:
        return self.seconds is not None and self.seconds < 0

    @property
    def label(self) -> str:
        """``2 h 05 min`` style, always positive (the template says left/overdue)."""
        if self.seconds is None:
            return ""
        minutes = int(abs(self.seconds) // 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}
        return gettext("%(minutes)s min") % {"minutes": minutes}


def sla_state(thread: Thread, calendar: business_time.BusinessCalendar, at: datetime) -> SlaState:
    due = thread.response_due_at
    if due is None:
        return SlaState(None, thread.first_responded_at is not None)
    if at <= due:
        left = business_time.business_seconds_between(calendar, at, due)
    else:
        left = -business_time.business_seconds_between(calendar, due, at)
    return SlaState(left, False)
