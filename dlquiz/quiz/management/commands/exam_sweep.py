"""``manage.py exam_sweep``: grade every exam attempt past its deadline (safe to run often)."""

from django.core.management.base import BaseCommand

from dlquiz.quiz.services import attempts_expired_grade


class Command(BaseCommand):
    help = "Grade exam attempts whose deadline has passed."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{attempts_expired_grade()} expired attempt(s) graded")
