from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jeugdregie.web"
    verbose_name = "Schermen"
