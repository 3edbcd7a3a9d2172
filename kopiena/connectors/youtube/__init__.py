"""YouTube connector (YouTube Data API v3 + Google OAuth helpers). See docs/connectors/youtube.md."""

from kopiena.connectors.youtube.connector import YouTubeConnector

__all__ = ["YouTubeConnector"]
