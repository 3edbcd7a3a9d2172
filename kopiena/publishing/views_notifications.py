"""A person's notifications across their workspaces: the bell in the top bar and /notifications/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kopiena.publishing.notifications import notifications_mark_read
from kopiena.publishing.selectors import notifications_for

PAGE_SIZE = 50


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publishing/notifications.html", {"page_obj": page})


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("notifications")


@require_POST
@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go to its post (or back to the list)."""
    notification = notifications_for(user=request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    notifications_mark_read(user=request.user, notification_id=notification.pk)
    if notification.post_id:
        return redirect("post_edit", ws=notification.workspace.slug, post_id=notification.post_id)
    return redirect("notifications")
