from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jeugdregie.demo"
    verbose_name = "Demoregio"
