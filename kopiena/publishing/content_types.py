"""Content types come from the workspace's policy (``publishing.content_mix.types``), so a team that plans
"behind the scenes" or "UGC repost" posts adds the type once and every post, filter, colour, import and
mix panel knows it. The nine built-in types (``ContentType``) are the defaults, and stay valid where a
policy lists none."""

from __future__ import annotations

import hashlib

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kopiena.core.errors import DomainError
from kopiena.policy import evaluators
from kopiena.policy.selectors import policy_current
from kopiena.publishing.models import ContentType

# Built-in types keep their colours in every workspace; the others get a stable colour from their key.
_COLOURS = {
    ContentType.PHOTO: "#2f7d5b",
    ContentType.VIDEO: "#b4472f",
    ContentType.TEXT: "#5b6770",
    ContentType.AUDIO: "#7a4fa3",
    ContentType.COMIC: "#c27c0e",
    ContentType.POLL: "#1f6fb2",
    ContentType.LINK: "#0f8a8a",
    ContentType.STORY: "#b83280",
    ContentType.CAROUSEL: "#4b5fc1",
}
# Dark enough for white text (WCAG AA on calendar events).
_EXTRA_COLOURS = ["#8a5a00", "#2d6a8a", "#8a2d5f", "#3f6b2a", "#6a4c93", "#9c3d1f", "#1e6f5c", "#5a5f8a"]


def content_types(workspace, language: str | None = None) -> list[tuple[str, str]]:
    """(key, label) for every content type the workspace's policy lists, in its order."""
    policy = policy_current(workspace=workspace)
    language = (language or get_language() or "en")[:2]
    keys = list(policy.publishing.content_mix.types) or list(ContentType.values)
    return [(key, content_type_label(workspace, key, language)) for key in keys]


def content_type_label(workspace, key: str, language: str | None = None) -> str:
    policy = policy_current(workspace=workspace)
    language = (language or get_language() or "en")[:2]
    if key in policy.publishing.content_mix.types:
        return evaluators.content_type_label(policy, key, language)
    return ContentType(key).label if key in ContentType.values else key


def content_type_colour(key: str) -> str:
    if key in _COLOURS:
        return _COLOURS[key]
    digest = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return _EXTRA_COLOURS[digest % len(_EXTRA_COLOURS)]


def check_content_type(workspace, key: str, *, current: str | None = None) -> None:
    """Raise ``DomainError`` unless the policy lists ``key`` (a post may keep a type the policy dropped)."""
    allowed = [k for k, _label in content_types(workspace)]
    if key in allowed or (current is not None and key == current):
        return
    raise DomainError(
        _("Unknown content type “%(value)s”; the policy lists: %(types)s.")
        % {"value": key, "types": ", ".join(allowed)},
        field="content_type",
    )
