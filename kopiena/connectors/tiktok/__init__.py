"""TikTok connector package; see connector.py."""

from kopiena.connectors.tiktok.connector import TikTokConnector

__all__ = ["TikTokConnector"]
