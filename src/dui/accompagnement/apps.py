from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    name = "dui.accompagnement"
    label = "accompagnement"
    verbose_name = "Accompagnement"
    default_auto_field = "django.db.models.BigAutoField"
