"""Writes for client reports: branding, report definitions, share links and the scheduled e-mail.

Every write is audited. Share links and e-mailed reports leave the workspace, so who made each link and
which addresses each report went to are in the audit log.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.zones import zone_of
from kopiena.publishing.media_types import sniff
from kopiena.reports.models import ALL_SECTIONS, Branding, ClientReport, Period, Schedule, ShareLink
from kopiena.reports.sharing import sign
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

LOGO_MAX_BYTES = 512 * 1024
LOGO_TYPES = {"image/png", "image/jpeg"}  # what WeasyPrint and every mail client show; no SVG (scripts)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_RECIPIENTS = 20
SHARE_MAX_DAYS = 365
REPORT_LANGUAGES = {code for code, _name in settings.LANGUAGES}
SEND_HOUR = time(8, 0)  # scheduled reports leave at 08:00 in the workspace's zone


def branding_update(
    *,
    access: Access,
    primary_colour: str,
    report_footer: str = "",
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Branding:
    """Set the colour and footer; ``logo`` replaces the logo (PNG or JPEG, judged by its bytes)."""
    access.require(Perm.WORKSPACE_MANAGE)
    if not COLOUR.match(primary_colour or ""):
        raise DomainError(_("The colour must look like #1f6feb."), field="primary_colour")
    with transaction.atomic():
        branding, _created = Branding.objects.select_for_update().get_or_create(workspace=access.workspace)
        before = {"primary_colour": branding.primary_colour, "has_logo": bool(branding.logo)}
        if logo is not None:
            if len(logo) > LOGO_MAX_BYTES:
                raise DomainError(_("The logo is larger than 512 KB."), field="logo")
            kind = sniff(logo[:64])
            if kind not in LOGO_TYPES:
                raise DomainError(_("The logo must be a PNG or JPEG image."), field="logo")
            branding.logo, branding.logo_type = logo, kind
        elif remove_logo:
            branding.logo, branding.logo_type = b"", ""
        branding.primary_colour = primary_colour.lower()
        branding.report_footer = report_footer.strip()[:200]
        branding.save()
        audit_record(
            actor=access.user,
            action="reports.branding_update",
            workspace=access.workspace,
            obj=branding,
            before=before,
            after={"primary_colour": branding.primary_colour, "has_logo": bool(branding.logo)},
        )
    return branding


def _clean_recipients(recipients: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in recipients:
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError as exc:
            raise DomainError(
                _("“%(address)s” is not an e-mail address.") % {"address": address[:80]}, field="recipients"
            ) from exc
        if address.lower() not in {a.lower() for a in cleaned}:
            cleaned.append(address)
    if len(cleaned) > MAX_RECIPIENTS:
        raise DomainError(_("At most %(n)s recipients.") % {"n": MAX_RECIPIENTS}, field="recipients")
    return cleaned


def _clean(title, sections, period, schedule, recipients, language) -> dict:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the report a title."), field="title")
    sections = [s for s in ALL_SECTIONS if s in set(sections or [])]
    if not sections:
        raise DomainError(_("Choose at least one section."), field="sections")
    if period not in Period.values:
        raise DomainError(_("Unknown period."), field="period")
    if schedule not in Schedule.values:
        raise DomainError(_("Unknown schedule."), field="schedule")
    if language not in REPORT_LANGUAGES:
        raise DomainError(_("Unknown language."), field="language")
    recipients = _clean_recipients(recipients or [])
    if schedule != Schedule.NONE and not recipients:
        raise DomainError(_("A scheduled report needs at least one recipient."), field="recipients")
    return {
        "title": title[:120],
        "sections": sections,
        "period": period,
        "schedule": schedule,
        "recipients": recipients,
        "language": language,
    }


def next_send_at(schedule: str, zone_name: str, after: datetime) -> datetime | None:
    """The next Monday (weekly) or 1st of a month (monthly) at 08:00 in the workspace's zone, after ``after``."""
    if schedule == Schedule.NONE:
        return None
    zone = zone_of(zone_name)
    first = after.astimezone(zone).date()
    for offset in range(0, 40):
        day = first + timedelta(days=offset)
        if (schedule == Schedule.WEEKLY and day.weekday() == 0) or (
            schedule == Schedule.MONTHLY and day.day == 1
        ):
            candidate = datetime.combine(day, SEND_HOUR, tzinfo=zone)
            if candidate > after:
                return candidate
    return None  # pragma: no cover - every 40 days hold a Monday and a 1st


@transaction.atomic
def report_create(
    *,
    access: Access,
    title: str,
    sections: list[str],
    period: str = Period.LAST_30,
    schedule: str = Schedule.NONE,
    recipients: list[str] | None = None,
    language: str = "lv",
) -> ClientReport:
    access.require(Perm.ANALYTICS_READ)
    fields = _clean(title, sections, period, schedule, recipients, language)
    report = ClientReport.objects.create(
        workspace=access.workspace,
        created_by=access.user,
        next_send_at=next_send_at(fields["schedule"], access.workspace.timezone, now()),
        **fields,
    )
    audit_record(
        actor=access.user,
        action="reports.report_create",
        workspace=access.workspace,
        obj=report,
        after=fields,
    )
    return report


@transaction.atomic
def report_update(
    *,
    access: Access,
    report: ClientReport,
    title: str,
    sections: list[str],
    period: str,
    schedule: str,
    recipients: list[str],
    language: str,
) -> ClientReport:
    access.require(Perm.ANALYTICS_READ)
    fields = _clean(title, sections, period, schedule, recipients, language)
    before = {key: getattr(report, key) for key in fields}
    if fields["schedule"] != report.schedule or report.next_send_at is None:
        report.next_send_at = next_send_at(fields["schedule"], access.workspace.timezone, now())
    for key, value in fields.items():
        setattr(report, key, value)
    report.save()
    audit_record(
        actor=access.user,
        action="reports.report_update",
        workspace=access.workspace,
        obj=report,
        before=before,
        after=fields,
    )
    return report


@transaction.atomic
def report_delete(*, access: Access, report: ClientReport) -> None:
    access.require(Perm.ANALYTICS_READ)
    audit_record(
        actor=access.user,
        action="reports.report_delete",
        workspace=access.workspace,
        object_type="reports.clientreport",
        object_id=report.pk,
        before={"title": report.title},
    )
    report.delete()


@transaction.atomic
def share_link_create(
    *, access: Access, report: ClientReport, start: date, end: date, days_valid: int = 30
) -> tuple[ShareLink, str]:
    """A read-only link to ``report`` for [start, end]; returns the row and its token (shown once)."""
    access.require(Perm.ANALYTICS_READ)
    if report.workspace_id != access.workspace.pk:
        raise DomainError(_("No such report."))
    if end < start:
        raise DomainError(_("The period ends before it starts."), field="end")
    if not 1 <= days_valid <= SHARE_MAX_DAYS:
        raise DomainError(
            _("A link can stay valid from 1 to %(n)s days.") % {"n": SHARE_MAX_DAYS}, field="days_valid"
        )
    link = ShareLink.objects.create(
        workspace=access.workspace,
        report=report,
        nonce=secrets.token_hex(16),
        start=start,
        end=end,
        expires_at=now() + timedelta(days=days_valid),
        created_by=access.user,
    )
    audit_record(
        actor=access.user,
        action="reports.share_link_create",
        workspace=access.workspace,
        obj=link,
        after={
            "report": report.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "expires_at": link.expires_at.isoformat(),
        },
    )
    return link, sign(link.pk, link.nonce)


def share_link_token(link: ShareLink) -> str:
    return sign(link.pk, link.nonce)


@transaction.atomic
def share_link_revoke(*, access: Access, link: ShareLink) -> ShareLink:
    access.require(Perm.ANALYTICS_READ)
    if link.revoked_at is None:
        link.revoked_at = now()
        link.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=access.user, action="reports.share_link_revoke", workspace=access.workspace, obj=link
        )
    return link


def share_link_opened(link: ShareLink) -> None:
    """Remember when the client last opened the link (at most one write a minute)."""
    at = now()
    if link.last_opened_at is None or at - link.last_opened_at > timedelta(minutes=1):
        ShareLink.objects.filter(pk=link.pk).update(last_opened_at=at)


def report_send(*, report: ClientReport, at: datetime | None = None) -> bool:
    """E-mail the report's previous week or month (by its schedule) as PDF to its recipients, and move
    ``next_send_at`` on. Returns whether it was sent; a failure is stored in ``last_error`` and audited."""
    from kopiena.reports.render import report_for, report_pdf
    from kopiena.reports.selectors import period_dates

    at = at or now()
    zone = zone_of(report.workspace.timezone)
    today = at.astimezone(zone).date()
    period = Period.PREVIOUS_MONTH if report.schedule == Schedule.MONTHLY else Period.PREVIOUS_WEEK
    start, end = period_dates(period, today)
    sent = False
    try:
        with translation.override(report.language):
            rendered = report_for(report, start=start, end=end)
            pdf = report_pdf(rendered)
            subject = _("%(title)s: %(start)s – %(end)s") % {
                "title": report.title,
                "start": start.strftime("%d.%m.%Y"),
                "end": end.strftime("%d.%m.%Y"),
            }
            body = _("The report of %(workspace)s for %(start)s – %(end)s is attached.") % {
                "workspace": report.workspace.name,
                "start": start.strftime("%d.%m.%Y"),
                "end": end.strftime("%d.%m.%Y"),
            }
        message = EmailMessage(subject=subject, body=body, to=list(report.recipients))
        message.attach(f"report-{start.isoformat()}-{end.isoformat()}.pdf", pdf, "application/pdf")
        message.send()
        report.last_error = ""
        report.last_sent_at = at
        sent = True
    except Exception as exc:
        report.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    report.next_send_at = next_send_at(report.schedule, report.workspace.timezone, at)
    report.save(update_fields=["last_error", "last_sent_at", "next_send_at", "updated_at"])
    audit_record(
        actor=None,
        action="reports.report_send" if sent else "reports.report_send_failed",
        workspace=report.workspace,
        obj=report,
        after={
            "recipients": report.recipients,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "error": report.last_error,
        },
    )
    return sent


def reports_send_due(*, at: datetime | None = None, limit: int = 20) -> int:
    """Send every scheduled report that is due, one claimed row at a time (SKIP LOCKED where supported)."""
    at = at or now()
    sent = 0
    for _i in range(limit):
        with transaction.atomic():
            report = (
                ClientReport.objects.select_for_update(skip_locked=True)
                .select_related("workspace")
                .exclude(schedule=Schedule.NONE)
                .filter(next_send_at__lte=at)
                .order_by("next_send_at", "pk")
                .first()
            )
            if report is None:
                break
            sent += int(report_send(report=report, at=at))
    return sent
