from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jeugdregie.web"
    verbose_name = "Schermen"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .screen_cache import on_config_change

        # A changed provider, product, contract or budget makes every cached screen figure stale.
        post_save.connect(on_config_change, dispatch_uid="screens-config-save")
        post_delete.connect(on_config_change, dispatch_uid="screens-config-delete")
