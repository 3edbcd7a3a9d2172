from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "kopiena.inbox"
    label = "inbox"
