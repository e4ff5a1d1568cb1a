from django.apps import AppConfig


class UsagersConfig(AppConfig):
    name = "dui.usagers"
    verbose_name = "Usagers"
