from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "kopiena.policy"
    label = "policy"
