from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "kopiena.publishing"
    label = "publishing"

    def ready(self) -> None:
        # The calendar UI's own models (queue slots, iCal feeds) live beside the views that use them;
        # importing them here registers them with the app before migrations or requests look.
        from kopiena.publishing import ical, queues  # noqa: F401
