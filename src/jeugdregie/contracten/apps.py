from django.apps import AppConfig


class ContractenConfig(AppConfig):
    name = "jeugdregie.contracten"
    verbose_name = "Contracten"
