"""`manage.py backup_db FILE`: a consistent backup of the running service's database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dlquiz.core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Back up the database to FILE while the service runs (SQLite backup API or pg_dump)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default="default")

    def handle(self, *args: object, file: Path, database: str, **options: object) -> None:
        try:
            database_backup(path=file, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"backed up to {file} ({file.stat().st_size} bytes)")
