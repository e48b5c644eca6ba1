"""A backup taken while a real worker grades restores into a fresh database with every graded
submission (with all of its per-test results), every review and every exam attempt: SQLite
through its online backup API, PostgreSQL through pg_dump/pg_restore, whichever the run uses."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from dlquiz.coding.models import Exercise, GradedTest, Submission
from dlquiz.coding.services import exercises_sync, submission_create
from dlquiz.content.models import Card, Topic
from dlquiz.quiz import services as quiz
from dlquiz.quiz.models import ExamAttempt, Question, ReviewLog, ReviewState
from tests.conftest import ROOT, CeleryWorker, wait_until, worker_database_url, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RIGHT = """
import torch

def softmax(x, dim=-1):
    z = x - x.amax(dim=dim, keepdim=True).clamp_min(-3e38)
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
"""
WRONG = """
def softmax(x, dim=-1):
    return x * 0.5
"""
SUBMISSIONS = 30


def fresh_database_url(tmp_path: Path) -> str:
    """An empty database beside the test database: a new SQLite file, or a new PostgreSQL
    database on the same server (dropped again by the caller)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    base = worker_database_url()
    return base.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    if url.startswith("postgres"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def manage(*args: str, env: dict) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def rows(dump: list[dict], model: str) -> dict[int, dict]:
    return {row["pk"]: row["fields"] for row in dump if row["model"] == model}


def study_history() -> tuple[list[int], list[int]]:
    """Reviews (some cards rated twice) and exam attempts (finished and open) of five students."""
    topic = Topic.objects.create(slug="cnn", name_zh="卷积网络", name_en="CNNs", position=0)
    cards = [
        Card.objects.create(
            topic=topic, question=f"q{i}", answer=f"a{i}", answer_html=f"<p>a{i}</p>", key=f"k{i}"
        )
        for i in range(4)
    ]
    for i in range(4):
        Question.objects.create(
            key=f"backup-q{i}", topic=topic, kind="single", prompt=f"q{i}?",
            choices=["a", "b"], answer={"choice": i % 2}, explanation="a",
        )  # fmt: skip
    attempts = []
    for n in range(5):
        student = User.objects.create_user(f"backup-student{n}", password="pw-backup-123")
        for card in cards[: n + 1]:
            quiz.review_rate(user=student, card=card, rating="good")
        quiz.review_rate(user=student, card=cards[0], rating="again")
        attempt = quiz.attempt_create(
            user=student, topics=["cnn"], count=3, time_limit_minutes=30, seed=n
        )
        quiz.attempt_answer(attempt=attempt, position=1, answer=attempt.items.get(position=1).expected["choice"])  # fmt: skip
        if n % 2 == 0:
            quiz.attempt_finish(attempt=attempt)
        attempts.append(attempt.pk)
    return list(ReviewLog.objects.values_list("pk", flat=True)), attempts


def test_a_backup_taken_while_grading_runs_restores_everything_graded(
    celery_worker: CeleryWorker, tmp_path: Path
):
    """Everything graded before the backup started is in the restored database exactly as it was
    (verdict, score, every per-test row); no submission in it is half-written."""
    review_ids, attempt_ids = study_history()
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    exercise.time_limit_multiplier = 5.0  # a loaded two-core machine; the verdicts matter here
    exercise.save(update_fields=["time_limit_multiplier"])
    users = [User.objects.create_user(f"backup-coder{i}", password="pw-backup-123") for i in range(15)]  # fmt: skip
    ids = [
        submission_create(
            user=users[i % len(users)],
            exercise=exercise,
            framework="torch",
            code=WRONG if i % 5 == 2 else RIGHT,
        )[0].pk
        for i in range(SUBMISSIONS)
    ]

    def some_graded() -> set[int]:
        done = set(Submission.objects.filter(pk__in=ids, status="graded").values_list("pk", flat=True))  # fmt: skip
        return done if len(done) >= 3 else set()

    graded_before = wait_until(some_graded, timeout=120, interval=0.05, what="first grades")
    backup = tmp_path / "dlquiz.backup"
    call_command("backup_db", str(backup))
    still_grading = Submission.objects.filter(pk__in=ids).exclude(status="graded").count()
    assert still_grading > 0, "the backup should overlap grading; make the burst larger"

    wait_until(
        lambda: not Submission.objects.filter(pk__in=ids).exclude(status="graded").exists(),
        timeout=240,
        interval=0.5,
        what="the whole burst to be graded",
    )

    url = fresh_database_url(tmp_path)
    try:
        env = worker_env(celery_worker.redis, database_url=url)
        manage("restore_db", str(backup), env=env)
        dump = json.loads(
            manage(
                "dumpdata",
                "coding.submission",
                "coding.gradedtest",
                "quiz.reviewstate",
                "quiz.reviewlog",
                "quiz.examattempt",
                "quiz.attemptitem",
                env=env,
            )  # fmt: skip
        )
    finally:
        drop_database(url)

    submissions = rows(dump, "coding.submission")
    tests_by_submission: dict[int, list[dict]] = {}
    for row in rows(dump, "coding.gradedtest").values():
        tests_by_submission.setdefault(row["submission"], []).append(row)
    full_set = GradedTest.objects.filter(submission_id=ids[0]).count()
    assert full_set >= 10
    assert set(ids) <= set(submissions)  # every submission made before the backup
    assert graded_before <= {pk for pk, row in submissions.items() if row["status"] == "graded"}
    for pk in graded_before:
        live = Submission.objects.get(pk=pk)
        restored = submissions[pk]
        assert (restored["verdict"], restored["score"]) == (live.verdict, live.score), pk
        want = sorted(live.tests.values_list("position", "status"))
        assert sorted((t["position"], t["status"]) for t in tests_by_submission[pk]) == want
    for pk, row in submissions.items():
        # A consistent snapshot: a submission is graded with all its tests, or not graded.
        count = len(tests_by_submission.get(pk, []))
        assert count == (full_set if row["status"] == "graded" else 0), (pk, row["status"], count)

    assert set(rows(dump, "quiz.reviewlog")) == set(review_ids)
    states = rows(dump, "quiz.reviewstate")
    assert {(s["user"], s["card"], s["reps"]) for s in states.values()} == set(
        ReviewState.objects.values_list("user_id", "card_id", "reps")
    )
    attempts = rows(dump, "quiz.examattempt")
    assert set(attempts) == set(attempt_ids)
    for attempt in ExamAttempt.objects.filter(pk__in=attempt_ids):
        assert (attempts[attempt.pk]["status"], attempts[attempt.pk]["score"]) == (
            attempt.status,
            attempt.score,
        )
    items = rows(dump, "quiz.attemptitem")
    assert sum(1 for i in items.values() if i["answer"] is not None) == len(attempt_ids)


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_database(tmp_path: Path):
    """A restore from a missing file, from anything but a backup, or from a backup of the other
    kind of database stops with a message that says which."""
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(CommandError, match="neither an SQLite backup nor a pg_dump"):
        call_command("restore_db", str(junk))
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore_db", str(tmp_path / "missing"))
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00")
        message = "is a postgresql backup; this database is sqlite"
    else:
        other.write_bytes(b"SQLite format 3\x00" + bytes(84))
        message = "is a sqlite backup; this database is postgresql"
    with pytest.raises(CommandError, match=message):
        call_command("restore_db", str(other))
