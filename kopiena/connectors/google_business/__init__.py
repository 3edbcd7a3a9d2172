"""Google Business Profile connector: reviews into the inbox, review replies, local posts.
See docs/connectors/google-business.md."""

from kopiena.connectors.google_business.connector import GoogleBusinessConnector

__all__ = ["GoogleBusinessConnector"]
