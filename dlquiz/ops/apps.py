from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "dlquiz.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from dlquiz.ops import signals  # noqa: F401
        from dlquiz.ops.context import log_record_factory_install

        log_record_factory_install()
