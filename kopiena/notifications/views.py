"""A person's notices (the bell, /notifications/) and their choices (Profile → Notifications)."""

from __future__ import annotations

import zoneinfo
from datetime import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopiena.core.errors import DomainError
from kopiena.core.zones import zone_of
from kopiena.notifications import delivery, services
from kopiena.notifications.events import Choice, EmailMode, Event
from kopiena.notifications.models import WebhookFormat
from kopiena.notifications.rendering import render as render_notice
from kopiena.notifications.selectors import (
    notifications_for,
    person_settings_for,
    preferences_for,
    recent_deliveries_for,
    webhook_endpoints_for,
)

PAGE_SIZE = 50


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [(notice, render_notice(notice)) for notice in page.object_list]
    return render(request, "notifications/list.html", {"page_obj": page, "shown": shown})


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notices_mark_read(user=request.user)
    return redirect("notifications")


@require_POST
@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go to what it is about (or back to the list)."""
    notice = notifications_for(user=request.user).filter(pk=notification_id).first()
    if notice is None:
        raise Http404
    services.notices_mark_read(user=request.user, notice_id=notice.pk)
    path = render_notice(notice).path
    return redirect(path) if path else redirect("notifications")


def _time(value: str) -> time | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise DomainError(_("Enter a time like 22:00."), field="quiet") from None


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        try:
            if request.POST.get("section") == "quiet":
                hour = request.POST.get("digest_hour", "8")
                services.person_settings_save(
                    user=user,
                    quiet_start=_time(request.POST.get("quiet_start", "")),
                    quiet_end=_time(request.POST.get("quiet_end", "")),
                    timezone=request.POST.get("timezone", ""),
                    urgent_breaks_quiet=request.POST.get("urgent_breaks_quiet") == "on",
                    digest_hour=int(hour) if hour.isdigit() else -1,
                )
            else:
                services.preferences_save(
                    user=user,
                    choices={
                        event: Choice(
                            in_app=request.POST.get(f"in_app__{event}") == "on",
                            email=request.POST.get(f"email__{event}", EmailMode.OFF),
                            webhook=request.POST.get(f"webhook__{event}") == "on",
                        )
                        for event in Event.values
                    },
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Notification settings saved."))
        return redirect("notification_preferences")
    choices = preferences_for(user=user)
    rows = [(value, label, choices[value]) for value, label in Event.choices]
    person = person_settings_for(user=user)
    with timezone.override(zone_of(person.timezone)):  # the delivery times in the person's own zone
        return render(
            request,
            "notifications/preferences.html",
            {
                "rows": rows,
                "email_modes": EmailMode.choices,
                "person": person,
                "endpoints": webhook_endpoints_for(user=user),
                "formats": WebhookFormat.choices,
                "deliveries": recent_deliveries_for(user=user),
                "zones": sorted(zoneinfo.available_timezones()),
                "hours": range(24),
            },
        )


@require_POST
@login_required
def webhook_add(request: HttpRequest) -> HttpResponse:
    try:
        endpoint, secret = services.webhook_endpoint_create(
            user=request.user,
            name=request.POST.get("name", ""),
            fmt=request.POST.get("format", ""),
            url=request.POST.get("url", ""),
            chat_id=request.POST.get("chat_id", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Endpoint “%(name)s” added. Its signing secret (shown only now): %(secret)s")
            % {"name": endpoint.name, "secret": secret},
        )
    return redirect("notification_preferences")


@require_POST
@login_required
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    services.webhook_endpoint_delete(user=request.user, endpoint_id=endpoint_id)
    messages.success(request, _("Endpoint removed."))
    return redirect("notification_preferences")


@require_POST
@login_required
def webhook_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    error = delivery.webhook_endpoint_test(user=request.user, endpoint_id=endpoint_id)
    if error is None:
        messages.success(request, _("The test message was delivered."))
    else:
        messages.error(request, _("The test message was not delivered: %(error)s") % {"error": error})
    return redirect("notification_preferences")
