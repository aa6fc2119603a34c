from django.apps import AppConfig


class CatalogusConfig(AppConfig):
    name = "jeugdregie.catalogus"
    verbose_name = "Productcatalogus"
