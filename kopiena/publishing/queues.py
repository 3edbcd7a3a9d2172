"""Per-account queues: recurring weekly time slots and "the next free slot".

The publishing core has no slot model, so the calendar keeps its own: a ``QueueSlot`` is "post on this
account every <weekday> at <local time>" in the account's time zone (the workspace's when the account has
none). ``next_free_slot`` walks those slots forward and returns the first one that no live delivery of the
account already occupies and that the communication policy's cadence rules allow (it asks the same
``kopiena.publishing.checks`` the scheduler asks, so a slot it proposes is one ``post_schedule`` accepts).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.models import WorkspaceScopedModel
from kopiena.core.zones import zone_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so no translation table is needed.
    MONDAY = 0, _lazy("Monday")
    TUESDAY = 1, _lazy("Tuesday")
    WEDNESDAY = 2, _lazy("Wednesday")
    THURSDAY = 3, _lazy("Thursday")
    FRIDAY = 4, _lazy("Friday")
    SATURDAY = 5, _lazy("Saturday")
    SUNDAY = 6, _lazy("Sunday")


class QueueSlot(WorkspaceScopedModel):
    """A recurring weekly publishing time for one account, in the account's local time."""

    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField(_lazy("weekday"), choices=Weekday.choices)
    local_time = models.TimeField(_lazy("time"))

    class Meta:
        app_label = "publishing"
        ordering = ["account", "weekday", "local_time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "weekday", "local_time"], name="queue_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.local_time:%H:%M}"


def account_zone(account: ConnectedAccount) -> ZoneInfo:
    return zone_of(account.timezone, account.workspace.timezone)


@transaction.atomic
def queue_slot_add(*, access: Access, account_id: int, weekday: int, local_time: time) -> QueueSlot:
    """Add a weekly slot to an account's queue (``post.schedule``). Adding an existing slot is a no-op."""
    access.require(Perm.POST_SCHEDULE)
    account = ConnectedAccount.objects.filter(workspace=access.workspace, pk=account_id).first()
    if account is None:
        raise DomainError(_("No such account."), field="account")
    if weekday not in Weekday.values:
        raise DomainError(_("Choose a weekday."), field="weekday")
    slot, created = QueueSlot.objects.get_or_create(
        workspace=access.workspace,
        account=account,
        weekday=weekday,
        local_time=local_time.replace(second=0, microsecond=0),
    )
    if created:
        audit_record(
            actor=access.user,
            workspace=access.workspace,
            action="queue_slot.add",
            obj=slot,
            after={"account": account.pk, "weekday": weekday, "time": slot.local_time.strftime("%H:%M")},
        )
    return slot


@transaction.atomic
def queue_slot_remove(*, access: Access, slot_id: int) -> None:
    access.require(Perm.POST_SCHEDULE)
    slot = QueueSlot.objects.filter(workspace=access.workspace, pk=slot_id).first()
    if slot is None:
        raise DomainError(_("No such time slot."))
    before = {"account": slot.account_id, "weekday": slot.weekday, "time": slot.local_time.strftime("%H:%M")}
    audit_record(
        actor=access.user, workspace=access.workspace, action="queue_slot.remove", obj=slot, before=before
    )
    slot.delete()


def queue_slots(*, access: Access) -> models.QuerySet[QueueSlot]:
    return QueueSlot.objects.filter(workspace=access.workspace).select_related("account")


# How far ahead "next free slot" looks before giving up (a queue that is full for two months is full).
SEARCH_WEEKS = 8
_LIVE = [s for s in DeliveryState.values if s not in (DeliveryState.FAILED, DeliveryState.CANCELLED)]


def slot_times(account: ConnectedAccount, *, after: datetime, weeks: int = SEARCH_WEEKS) -> list[datetime]:
    """Every slot moment of the account's queue in (after, after + weeks], aware UTC, in order."""
    slots = list(QueueSlot.objects.filter(account=account).values_list("weekday", "local_time"))
    if not slots:
        return []
    zone = account_zone(account)
    start = after.astimezone(zone).date()
    moments = []
    for offset in range(weeks * 7 + 1):
        day = start + timedelta(days=offset)
        for weekday, local_time in slots:
            if day.weekday() == weekday:
                moment = datetime.combine(day, local_time, tzinfo=zone).astimezone(ZoneInfo("UTC"))
                if moment > after:
                    moments.append(moment)
    return sorted(moments)


def next_free_slot(
    account: ConnectedAccount,
    *,
    after: datetime | None = None,
    allowed=None,
    taken: set[datetime] | frozenset[datetime] = frozenset(),
) -> datetime | None:
    """The first queue slot after ``after`` (default: now) that no live delivery of the account uses and,
    when ``allowed`` is given, for which ``allowed(moment)`` is true (the caller's policy check). None when the queue has no slots or
    none is free within ``SEARCH_WEEKS``. ``taken``: times already given away but not written yet (the
    import's planning pass)."""
    after = after or now()
    moments = slot_times(account, after=after)
    if not moments:
        return None
    used = set(
        Delivery.objects.filter(
            account=account, state__in=_LIVE, due_at__gte=moments[0], due_at__lte=moments[-1]
        ).values_list("due_at", flat=True)
    ) | set(taken)
    for moment in moments:
        if moment in used:
            continue
        if allowed is None or allowed(moment):
            return moment
    return None
