"""LinkedIn Pages connector package; see connector.py."""

from kopiena.connectors.linkedin.connector import LinkedInConnector

__all__ = ["LinkedInConnector"]
