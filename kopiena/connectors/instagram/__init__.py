"""Instagram connector package; see connector.py."""

from kopiena.connectors.instagram.connector import InstagramConnector

__all__ = ["InstagramConnector"]
