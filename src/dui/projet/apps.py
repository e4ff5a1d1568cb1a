from django.apps import AppConfig


class ProjetConfig(AppConfig):
    name = "dui.projet"
    verbose_name = "Projet personnalisé"
