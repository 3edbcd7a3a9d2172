from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "kopiena.integrations"
    label = "integrations"

    def ready(self) -> None:
        from kopiena.integrations import checks  # noqa: F401 -- registers the connector registry check
