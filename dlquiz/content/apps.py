from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "dlquiz.content"
    label = "content"
