from django.apps import AppConfig


class RegioConfig(AppConfig):
    name = "jeugdregie.regio"
    verbose_name = "Regio en gemeenten"
