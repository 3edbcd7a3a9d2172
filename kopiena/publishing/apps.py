from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "kopiena.publishing"
    label = "publishing"
