from django.apps import AppConfig


class DluConfig(AppConfig):
    name = "dui.dlu"
    verbose_name = "Dossier de liaison d'urgence"
