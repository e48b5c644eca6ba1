from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dlquiz.core"
    label = "core"
