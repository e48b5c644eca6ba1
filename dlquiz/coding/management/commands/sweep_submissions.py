from django.core.management.base import BaseCommand

from dlquiz.coding.grading import submissions_sweep


class Command(BaseCommand):
    help = "Re-enqueue submissions stuck in queued/running past DLQUIZ_STUCK_AFTER_S."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--stuck-after", type=int, default=None, help="seconds")

    def handle(self, *args, stuck_after: int | None, **options) -> None:
        counts = submissions_sweep(stuck_after_s=stuck_after)
        self.stdout.write(f"requeued {counts['requeued']}, failed {counts['failed']}")
