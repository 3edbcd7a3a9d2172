from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "kopiena.listening"
    label = "listening"
