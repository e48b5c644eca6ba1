from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizConfig(AppConfig):
    name = "dlquiz.quiz"
    label = "quiz"
    verbose_name = _("Quizzes and reviews")

    def ready(self) -> None:
        from dlquiz.core.sweeps import sweep_register
        from dlquiz.quiz.services import attempts_expired_grade

        # Exam attempts past their deadline are graded even if the student never returns.
        sweep_register(name="exam-attempts", sweep=attempts_expired_grade)
