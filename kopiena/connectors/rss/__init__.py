"""RSS / Atom feeds as a listening source. See docs/connectors/rss.md."""

from kopiena.connectors.rss.connector import RssConnector

__all__ = ["RssConnector"]
