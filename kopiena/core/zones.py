"""Time zone names: which are valid, and a zone that never fails for a stored name.

Only names in ``zoneinfo.available_timezones()`` are accepted (a path such as ``../../etc/passwd`` or a
made-up ``Mars/Olympus`` is refused by the forms and the services). Rows saved before that check may still
hold a bad name, so every read goes through ``zone_of``, which falls back to the next name given (the
account's zone → the workspace's) and finally to UTC instead of failing the page.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.utils.translation import gettext as _

from kopiena.core.errors import DomainError

UTC_NAME = "UTC"


@functools.cache
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str | None) -> bool:
    return bool(name) and name in _available()


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(_available())]


def zone_name_of(*names: str | None) -> str:
    """The first valid zone name among ``names`` (most specific first), else "UTC"."""
    return next((name for name in names if is_zone(name)), UTC_NAME)


def zone_of(*names: str | None) -> zoneinfo.ZoneInfo:
    """``ZoneInfo`` of the first valid name among ``names``, else UTC."""
    return zoneinfo.ZoneInfo(zone_name_of(*names))


def require_zone(name: str, *, field: str = "timezone", allow_empty: bool = False) -> str:
    """``name`` stripped, if it is a known IANA zone (or empty when allowed); else ``DomainError``."""
    name = (name or "").strip()
    if (allow_empty and not name) or is_zone(name):
        return name
    raise DomainError(
        _("Unknown time zone %(zone)s; use a name such as Europe/Riga.") % {"zone": name}, field=field
    )
