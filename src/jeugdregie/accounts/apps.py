from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jeugdregie.accounts"
    verbose_name = "Gebruikers en rollen"
