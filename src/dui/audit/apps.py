from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dui.audit"
    verbose_name = "Audit"
