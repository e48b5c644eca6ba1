"""django-axes (login protection) under names the admin can translate: the library's app has no
verbose name, so the index showed its bare label, and its lockout column is titled after the
method. Named in INSTALLED_APPS instead of "axes"; its strings are translated in ops' catalogue."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Axes")

    def ready(self) -> None:
        super().ready()
        from axes.admin import AccessAttemptAdmin

        AccessAttemptAdmin.status.short_description = _("Status")
