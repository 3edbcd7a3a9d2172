"""Telegram connector package; see connector.py."""

from kopiena.connectors.telegram.connector import TelegramConnector

__all__ = ["TelegramConnector"]
