"""Mastodon connector (any instance): REST API + OAuth helpers. See docs/connectors/mastodon.md."""

from kopiena.connectors.mastodon.connector import MastodonConnector

__all__ = ["MastodonConnector"]
