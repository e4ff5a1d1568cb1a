from django.apps import AppConfig


class SoinsConfig(AppConfig):
    name = "dui.soins"
    verbose_name = "Soins"
