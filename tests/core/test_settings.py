"""Settings come from the environment; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def settings_in_subprocess(env: dict, expression: str) -> str:
    full_env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "dlquiz.settings", **env}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_default_database_is_sqlite_file_in_repository_root():
    """Without DATABASE_URL the service uses db.sqlite3 next to manage.py."""
    out = settings_in_subprocess(
        {}, "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']"
    )
    assert "sqlite3" in out and str(ROOT / "db.sqlite3") in out


def test_postgres_url_is_parsed():
    """A postgres:// DATABASE_URL selects the PostgreSQL backend with its parts."""
    out = settings_in_subprocess(
        {"DATABASE_URL": "postgres://quiz:secret@db.example:5433/dlquiz"},
        "[settings.DATABASES['default'][k] for k in ('ENGINE', 'HOST', 'PORT', 'NAME', 'USER')]",
    )
    assert out == "['django.db.backends.postgresql', 'db.example', 5433, 'dlquiz', 'quiz']"


def test_redis_url_feeds_the_broker():
    out = settings_in_subprocess(
        {"REDIS_URL": "redis://10.1.2.3:6390/2"}, "settings.REDIS_URL, settings.CELERY_BROKER_URL"
    )
    assert out == "redis://10.1.2.3:6390/2 redis://10.1.2.3:6390/2"


def test_production_requires_a_secret_key():
    """With DEBUG off and no DJANGO_SECRET_KEY the service refuses to start."""
    with pytest.raises(subprocess.CalledProcessError) as info:
        settings_in_subprocess({"DJANGO_DEBUG": "0"}, "settings.DEBUG")
    assert "DJANGO_SECRET_KEY" in info.value.stderr


def test_check_deploy_is_clean_under_production_settings():
    """`manage.py check --deploy` reports nothing with DEBUG off and a real secret."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k" * 20 + "Zx9!q@W#e$R%t^Y&u*I(o)P_a+S-d=F" + "m" * 20,
        "DJANGO_ALLOWED_HOSTS": "quiz.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_celery_is_configured_to_never_lose_grading_work():
    """JSON only, late acks, redelivery when a worker dies, one task reserved at a time, and a
    visibility timeout far above the longest grade."""
    from dlquiz.celery import app

    conf = app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] >= 600
    assert {q.name for q in conf.task_queues} == {"cpu", "gpu"}
    assert conf.task_default_queue == "cpu"
