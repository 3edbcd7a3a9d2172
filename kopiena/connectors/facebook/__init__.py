"""Facebook Page connector package; see connector.py."""

from kopiena.connectors.facebook.connector import FacebookConnector

__all__ = ["FacebookConnector"]
