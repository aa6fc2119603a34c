from django.apps import AppConfig


class ZorgConfig(AppConfig):
    name = "jeugdregie.zorg"
    verbose_name = "Zorggegevens"
