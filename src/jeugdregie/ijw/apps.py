from django.apps import AppConfig


class IjwConfig(AppConfig):
    name = "jeugdregie.ijw"
    verbose_name = "iJw-berichten"
