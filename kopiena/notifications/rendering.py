"""Turning a stored notice into words: at show time, in the active language, in the workspace's zone."""

from __future__ import annotations

import contextlib
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from kopiena.core.zones import zone_of
from kopiena.notifications.messages import MESSAGES


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    path: str  # where "open" leads (site-relative), or ""
    when: str  # the notice's time, in the workspace's zone and the reader's format


def workspace_zone(workspace) -> zoneinfo.ZoneInfo:
    return zone_of(workspace.timezone)  # UTC for a name that is not a zone


def format_moment(value: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return formats.date_format(timezone.localtime(value, zone), "j M Y H:i")


def _args(params: dict, zone: zoneinfo.ZoneInfo) -> dict:
    args = {}
    for key, value in params.items():
        if key.endswith("_at") and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = format_moment(datetime.fromisoformat(value), zone)
        args[key] = value
    return args


class _Missing(dict):
    def __missing__(self, key):  # a message whose args changed between versions still renders
        return "—"


def _texts(notice) -> tuple[str, str]:
    message = MESSAGES.get(notice.kind)
    if message is not None and not notice.texts:
        args = _Missing(_args(notice.params or {}, workspace_zone(notice.workspace)))
        return gettext(message.title) % args, gettext(message.body) % args
    texts = notice.texts or {}
    language = translation.get_language() or settings.LANGUAGE_CODE
    chosen = texts.get(language) or texts.get(language.split("-")[0]) or texts.get(settings.LANGUAGE_CODE)
    if chosen is None and texts:
        chosen = next(iter(texts.values()))
    chosen = chosen or {}
    return chosen.get("title") or notice.kind, chosen.get("body", "")  # a kind nobody worded: its name


def notice_path(notice) -> str:
    kind, _sep, pk = notice.target.partition(":")
    slug = notice.workspace.slug
    try:
        if notice.post_id:
            return reverse("post_edit", kwargs={"ws": slug, "post_id": notice.post_id})
        if kind == "inbox.thread" and pk.isdigit():
            return reverse("inbox_thread", kwargs={"ws": slug, "thread_id": int(pk)})
        if kind == "inbox.reply" and notice.params.get("thread"):
            return reverse("inbox_thread", kwargs={"ws": slug, "thread_id": int(notice.params["thread"])})
        if kind == "publishing.post" and pk.isdigit():
            return reverse("post_edit", kwargs={"ws": slug, "post_id": int(pk)})
    except (NoReverseMatch, ValueError):
        return ""
    return ""


def render(notice) -> Rendered:
    """The notice in the active language (the reader's, set by the request or by ``in_language``)."""
    title, body = _texts(notice)
    when = format_moment(notice.created_at, workspace_zone(notice.workspace)) if notice.created_at else ""
    return Rendered(title=title[:300], body=body, path=notice_path(notice), when=when)


def render_for(notice, user) -> Rendered:
    """For channels that leave the site (e-mail, webhooks): in the recipient's own language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return render(notice)


def absolute(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path if path else ""
