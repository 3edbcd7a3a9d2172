"""VK connector package; see connector.py."""

from kopiena.connectors.vk.connector import VkConnector

__all__ = ["VkConnector"]
