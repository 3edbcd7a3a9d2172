"""How much business time is left before a thread's first answer is due (for the inbox's countdown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kopiena.core import business_time
from kopiena.inbox.models import Thread


@dataclass(frozen=True)
class SlaState:
    """``seconds`` of business time left (negative: overdue by that much); None once answered."""

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
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def sla_state(thread: Thread, calendar: business_time.BusinessCalendar, at: datetime) -> SlaState:
    if thread.first_responded_at is not None:
        return SlaState(None, True)
    if thread.first_response_due_at is None:
        return SlaState(None, False)
    if at <= thread.first_response_due_at:
        left = business_time.business_seconds_between(calendar, at, thread.first_response_due_at)
    else:
        left = -business_time.business_seconds_between(calendar, thread.first_response_due_at, at)
    return SlaState(left, False)
