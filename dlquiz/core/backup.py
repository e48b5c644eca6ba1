"""Backups of the whole database that restore: SQLite through its online backup API (a consistent
copy while web and workers keep writing), PostgreSQL through pg_dump's custom format and
pg_restore. The file's first bytes say which kind it is, so a restore refuses the wrong one."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def _settings(alias: str) -> dict:
    return connections[alias].settings_dict


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _pg_program(name: str) -> str:
    """The newest installed `name` (pg_dump, pg_restore): a dump must be made by a pg_dump at least
    as new as the server, and Debian keeps each major version's programs apart."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_major)
    program = found[-1] if found else shutil.which(name)
    if not program:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return program


def _major(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _pg_env(alias: str) -> dict[str, str]:
    db = _settings(alias)
    env = dict(os.environ)
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(name):
            env[key] = str(db[name])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def database_backup(*, path: Path, alias: str = "default") -> None:
    """Write a consistent copy of the database to `path` (replaced only once the copy is whole)
    while the service keeps running."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    vendor = _vendor(alias)
    try:
        if vendor == "sqlite":
            source = sqlite3.connect(str(_settings(alias)["NAME"]), timeout=30)
            target = sqlite3.connect(str(partial))
            try:
                # One step: the copy is a single snapshot, however many writers run meanwhile.
                source.backup(target)
            finally:
                target.close()
                source.close()
        elif vendor == "postgresql":
            env = _pg_env(alias)
            _run(
                [_pg_program("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"],
                env=env,
            )
        else:
            raise BackupError(f"no backup for the {vendor} database backend")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def backup_kind(*, path: Path) -> str:
    """`sqlite` or `postgresql`, from a backup file's first bytes."""
    with Path(path).open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither an SQLite backup nor a pg_dump custom-format dump")


def database_restore(*, path: Path, alias: str = "default") -> None:
    """Replace the database's content with the backup at `path`. Meant for a fresh (empty)
    database or one the service has stopped writing to; PostgreSQL restores in one transaction,
    so a failed restore leaves the database as it was."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    kind = backup_kind(path=path)
    vendor = _vendor(alias)
    if kind != vendor:
        raise BackupError(f"{path} is a {kind} backup; this database is {vendor}")
    connections[alias].close()
    if vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(str(_settings(alias)["NAME"]), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(
            [
                _pg_program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_settings(alias)['NAME']}",
                str(path),
            ],
            env=_pg_env(alias),
        )
