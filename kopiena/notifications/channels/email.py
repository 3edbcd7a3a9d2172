"""E-mail: one message per notice, or one digest of several; always in the recipient's language."""

from __future__ import annotations

from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kopiena.notifications.rendering import Rendered, absolute


def _footer() -> str:
    return (
        _("All your notifications: %(url)s") % {"url": absolute(reverse("notifications"))}
        + "\n"
        + _("Choose what reaches you: %(url)s") % {"url": absolute(reverse("notification_preferences"))}
    )


def send_one(*, to: str, workspace_name: str, rendered: Rendered) -> None:
    """Call inside the recipient's language (``translation.override``)."""
    lines = [rendered.body, ""]
    if rendered.path:
        lines.append(_("Open: %(url)s") % {"url": absolute(rendered.path)})
    lines.append(_footer())
    send_mail(f"[Kopiena · {workspace_name}] {rendered.title}", "\n".join(lines), None, [to])


def send_digest(*, to: str, entries: list[tuple[str, Rendered]]) -> None:
    """``entries``: (workspace name, rendered notice), oldest first."""
    lines: list[str] = []
    for workspace_name, rendered in entries:
        lines.append(f"• {rendered.when} · {workspace_name} · {rendered.title}")
        if rendered.body:
            lines.extend("  " + line for line in rendered.body.splitlines())
        if rendered.path:
            lines.append("  " + absolute(rendered.path))
        lines.append("")
    lines.append(_footer())
    subject = ngettext(
        "[Kopiena] Your daily digest: %(count)s notification",
        "[Kopiena] Your daily digest: %(count)s notifications",
        len(entries),
    ) % {"count": len(entries)}
    send_mail(subject, "\n".join(lines), None, [to])
