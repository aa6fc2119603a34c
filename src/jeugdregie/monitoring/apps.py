from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jeugdregie.monitoring"
    verbose_name = "Monitoring"
