from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "jeugdregie.budget"
    verbose_name = "Budgetplafonds en afrekening"
