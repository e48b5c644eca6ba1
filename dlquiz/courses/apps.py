from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "dlquiz.courses"
    label = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from dlquiz.courses import receivers  # noqa: F401  (connects the Celery hook)
