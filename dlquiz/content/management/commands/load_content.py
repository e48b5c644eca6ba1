"""``manage.py load_content``: the notes, then exercises and quiz questions (CONTRACT §1).

Idempotent. Each step reports what it created, updated and left alone. The exercise and quiz
steps are the ``exercises_sync`` / ``questions_sync`` services of their apps, called when those
apps provide them."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from dlquiz.content.services import content_load

SYNC_HOOKS = (
    ("dlquiz.coding.services", "exercises_sync"),
    ("dlquiz.quiz.services", "questions_sync"),
)


class Command(BaseCommand):
    help = "Import the study notes into Q&A cards, then sync exercises and quiz questions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--notes-dir",
            type=Path,
            default=None,
            help="Folder of *.txt notes (default: settings.DLQUIZ_NOTES_DIR).",
        )
        parser.add_argument(
            "--notes-only", action="store_true", help="Skip the exercise and quiz syncs."
        )

    def handle(self, *args, notes_dir: Path | None = None, notes_only: bool = False, **options):
        notes_dir = notes_dir or Path(settings.DLQUIZ_NOTES_DIR)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Notes from {notes_dir}"))
        report = content_load(notes_dir=notes_dir, stdout=self.stdout)
        edited = sum(r.skipped_edited for r in report.notes)
        if edited:
            self.stdout.write(
                self.style.WARNING(f"{edited} card(s) edited in the admin were left unchanged")
            )
        if notes_only:
            return
        for module_name, function_name in SYNC_HOOKS:
            try:
                hook = getattr(importlib.import_module(module_name), function_name)
            except (ImportError, AttributeError):
                self.stdout.write(f"{module_name}.{function_name}: not available, skipped")
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"{function_name}"))
            hook(stdout=self.stdout)
