"""`manage.py restore_db FILE`: load a backup made by backup_db into the configured database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dlquiz.core.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Replace the database's content with a backup made by backup_db. Stop the web server and "
        "workers first, or restore into a fresh database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, file: Path, database: str, **options: object) -> None:
        try:
            database_restore(path=file, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored from {file}")
