from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "dui.ui"
    verbose_name = "Ui"
