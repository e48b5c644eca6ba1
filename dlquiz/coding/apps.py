from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "dlquiz.coding"
    label = "coding"
