"""Template context every page needs: the current workspace (when the URL names one) and its access,
and ``worker_status`` for the "no worker" banner (``.stale``, ``.last_seen``, ``.alive``), evaluated
lazily with one cached query only when a template reads it.

For the UI shell (docs/ui.md): ``user_workspaces`` (the workspace switcher), ``ws_can`` (``{% if
ws_can.AUDIT_READ %}``), ``nav_active`` (which side-navigation entry the URL belongs to) and
``unread_notifications`` (the bell's count)."""

import functools

from django.utils.functional import SimpleLazyObject

from kopiena.core.tasks_runtime.health import cached_worker_status


def _nav_active(request, workspace) -> str:
    """``/w/<ws>/calendar/...`` → ``calendar``; ``/w/<ws>/settings/team/...`` → ``team``;
    ``/w/<ws>/settings/`` → ``settings``. Hyphens become underscores so it matches the URL names."""
    if workspace is None:
        return ""
    parts = [p for p in request.path.split("/") if p][2:]
    if not parts:
        return ""
    if parts[0] == "settings" and len(parts) > 1:
        return parts[1].replace("-", "_")
    return parts[0].replace("-", "_")


def _user_workspaces(request) -> list:
    from kopiena.teams.selectors import workspaces_for_user

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(workspaces_for_user(user=user))


def _workspace_permissions(access) -> dict[str, bool]:
    from kopiena.teams.permissions import Perm

    if access is None:
        return {}
    return {perm.name: access.can(perm) for perm in Perm}


def _unread_notifications(request) -> int:
    from kopiena.notifications.selectors import notifications_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notifications_for(user=user, unread_only=True).count()


def shell(request):
    access = getattr(request, "access", None)
    workspace = getattr(access, "workspace", None)
    return {
        "access": access,
        "current_workspace": workspace,
        "worker_status": SimpleLazyObject(cached_worker_status),
        "user_workspaces": SimpleLazyObject(lambda: _user_workspaces(request)),
        "ws_can": _workspace_permissions(access),
        "nav_active": _nav_active(request, workspace),
        # One indexed COUNT, on the first read (templates call a callable; the cache keeps it one query).
        "unread_notifications": functools.cache(lambda: _unread_notifications(request)),
    }
