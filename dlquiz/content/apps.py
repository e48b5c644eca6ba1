from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "dlquiz.content"
    label = "content"
    verbose_name = _("Notes and cards")
