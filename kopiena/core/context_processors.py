"""Template context every page needs: the current workspace (when the URL names one) and its access,
and ``worker_status`` for the "no worker" banner (``.stale``, ``.last_seen``, ``.alive``), evaluated
lazily with one cached query only when a template reads it."""

from django.utils.functional import SimpleLazyObject

from kopiena.core.tasks_runtime.health import cached_worker_status


def shell(request):
    access = getattr(request, "access", None)
    return {
        "access": access,
        "current_workspace": getattr(access, "workspace", None),
        "worker_status": SimpleLazyObject(cached_worker_status),
    }
