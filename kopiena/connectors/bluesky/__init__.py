"""Bluesky (any PDS) through XRPC with a handle + app password. See docs/connectors/bluesky.md."""

from kopiena.connectors.bluesky.connector import BlueskyConnector

__all__ = ["BlueskyConnector"]
