from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "dui.structures"
    verbose_name = "Structures"
