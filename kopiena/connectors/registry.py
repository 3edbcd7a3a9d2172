"""Explicit registry: platform key → connector class, built from a list of dotted paths.

Built lazily on first use and failing fast: a bad path, a non-Connector, a duplicate key or a
declared-but-unimplemented capability raises :class:`RegistryError` naming the entry. Call
``registry.all()`` at startup (integrations' AppConfig.ready) to fail before serving requests.

Tests swap a class in with ``with registry.override("mastodon", FakeConnector): ...``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module

from kopiena.connectors.base import Connector
from kopiena.connectors.capabilities import CapabilityMismatch, check_capabilities

# One line per platform. Keep sorted by how much the product depends on it.
DEFAULT_CONNECTORS: tuple[str, ...] = (
    "kopiena.connectors.mastodon.MastodonConnector",
    "kopiena.connectors.bluesky.BlueskyConnector",
    "kopiena.connectors.facebook.FacebookConnector",
    "kopiena.connectors.vk.VkConnector",
    "kopiena.connectors.instagram.InstagramConnector",
    "kopiena.connectors.threads.ThreadsConnector",
    "kopiena.connectors.linkedin.LinkedInConnector",
    "kopiena.connectors.x.XConnector",
    "kopiena.connectors.tiktok.TikTokConnector",
    "kopiena.connectors.telegram.TelegramConnector",
    "kopiena.connectors.youtube.YouTubeConnector",
    "kopiena.connectors.google_business.GoogleBusinessConnector",
    "kopiena.connectors.rss.RssConnector",
)


class RegistryError(LookupError):
    """The registry is misconfigured, or no connector has the requested key."""


def load_class(path: str) -> type[Connector]:
    module_name, _, attr = path.rpartition(".")
    if not module_name:
        raise RegistryError(f"{path!r} is not a dotted path to a class")
    try:
        cls = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"cannot load connector {path!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Connector)) or not cls.key:
        raise RegistryError(f"{path!r} is not a Connector subclass with a key")
    if cls.verify is Connector.verify:
        raise RegistryError(f"{path!r} does not implement verify()")
    try:
        check_capabilities(cls)
    except CapabilityMismatch as exc:
        raise RegistryError(str(exc)) from exc
    return cls


class ConnectorRegistry:
    def __init__(self, paths: Sequence[str] = DEFAULT_CONNECTORS):
        self._paths = tuple(paths)
        self._classes: dict[str, type[Connector]] | None = None
        self._lock = threading.Lock()

    def configure(self, paths: Sequence[str]) -> None:
        """Replace the list of connectors (e.g. from a ``KOPIENA_CONNECTORS`` setting) and rebuild."""
        with self._lock:
            self._paths, self._classes = tuple(paths), None
        self._build()

    def _build(self) -> dict[str, type[Connector]]:
        with self._lock:
            if self._classes is None:
                classes: dict[str, type[Connector]] = {}
                for path in self._paths:
                    cls = load_class(path)
                    if cls.key in classes:
                        raise RegistryError(f"duplicate connector key {cls.key!r} ({path})")
                    classes[cls.key] = cls
                self._classes = classes
            return self._classes

    def get(self, key: str) -> type[Connector]:
        try:
            return self._build()[key]
        except KeyError:
            raise RegistryError(f"no connector for platform {key!r}") from None

    def all(self) -> list[type[Connector]]:
        return list(self._build().values())

    def keys(self) -> list[str]:
        return list(self._build())

    @contextmanager
    def override(self, key: str, cls: type[Connector]) -> Iterator[type[Connector]]:
        """Temporarily serve ``cls`` for ``key`` (tests). Restores the previous entry on exit."""
        check_capabilities(cls)
        classes = self._build()
        missing = object()
        previous = classes.get(key, missing)
        classes[key] = cls
        try:
            yield cls
        finally:
            if previous is missing:
                classes.pop(key, None)
            else:
                classes[key] = previous


registry = ConnectorRegistry()
get = registry.get
all = registry.all
override = registry.override
