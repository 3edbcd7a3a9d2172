"""X connector package; see connector.py."""

from kopiena.connectors.x.connector import XConnector

__all__ = ["XConnector"]
