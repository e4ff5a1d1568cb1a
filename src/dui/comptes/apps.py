from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "dui.comptes"
    verbose_name = "Comptes"
