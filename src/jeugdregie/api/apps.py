from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jeugdregie.api"
    verbose_name = "Lees-API"
