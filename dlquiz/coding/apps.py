from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodingConfig(AppConfig):
    name = "dlquiz.coding"
    label = "coding"
    verbose_name = _("Coding exercises")

    def ready(self) -> None:
        from dlquiz.coding.grading import submissions_sweep
        from dlquiz.core.sweeps import sweep_register

        # Gradings lost with a killed worker are sent again (or failed past the delivery cap).
        sweep_register(name="submissions", sweep=submissions_sweep)
