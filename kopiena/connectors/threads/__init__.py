"""Threads connector package; see connector.py."""

from kopiena.connectors.threads.connector import ThreadsConnector

__all__ = ["ThreadsConnector"]
