from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dlquiz.lti"
    label = "dlquiz_lti"
    verbose_name = _("LMS integration (LTI 1.3)")

    def ready(self) -> None:
        from dlquiz.lti import receivers  # noqa: F401

        lazy_key_fieldset()


def lazy_key_fieldset() -> None:
    """django-lti titles its registration form's key fieldset with gettext at import time, which
    fixes it in the language active then (Chinese, the default) for every reader; the same words
    translated lazily follow each request's language."""
    from lti_tool.admin import LtiRegistrationAdmin

    LtiRegistrationAdmin.fieldsets = [
        (
            (
                _("Static keys"),
                {**options, "description": _("For platforms not supporting JWK Set use by tools.")},
            )
            if "public_key" in options.get("fields", ())
            else (name, options)
        )
        for name, options in LtiRegistrationAdmin.fieldsets
    ]
