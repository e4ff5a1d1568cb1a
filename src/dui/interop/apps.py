from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "dui.interop"
    verbose_name = "Services socles"
