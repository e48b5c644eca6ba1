"""Shared fixtures: a real redis-server and a real Celery worker for integration tests.

On SQLite (the default) the test database is a file unique to this pytest process, so a worker
subprocess can open it and several test runs on one machine do not collide. With a
`DATABASE_URL=postgres://…` the worker gets the URL of pytest-django's `test_<name>` database. Tests that need the worker to see their
rows use `transactional_db` (committed data)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(tempfile.mkdtemp(prefix=f"dlquiz-test-{os.getpid()}-"))
TEST_DB = RUN_DIR / "test.sqlite3"


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(TEST_DB)


def pytest_unconfigure(config) -> None:
    shutil.rmtree(RUN_DIR, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class RedisServer:
    url: str
    port: int
    dir: Path
    process: subprocess.Popen | None = None
    # Addresses to listen on, space-separated (a test's worker host reaches it over a veth).
    bind: str = "127.0.0.1"
    password: str | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                self.bind,
                "--port",
                str(self.port),
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--maxmemory-policy",
                "noeviction",
                "--save",
                "",
                *(("--requirepass", self.password) if self.password else ()),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, timeout=10, what="redis-server")

    def ping(self) -> bool:
        import redis

        try:
            client = redis.Redis(port=self.port, password=self.password, socket_connect_timeout=0.2)
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self, *, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server (AOF on, noeviction) on a free port, used as the Celery broker."""
    with own_broker() as server:
        yield server


@contextlib.contextmanager
def own_broker() -> Iterator[RedisServer]:
    """A redis-server of its own on a free port, this process's broker while the block runs."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed: run `make setup`")
    port = free_port()
    data = RUN_DIR / f"redis-{port}"
    data.mkdir()
    server = RedisServer(url=f"redis://127.0.0.1:{port}/0", port=port, dir=data)
    server.start()
    try:
        with broker_switched(server.url):
            yield server
    finally:
        server.stop()


@contextlib.contextmanager
def broker_switched(url: str) -> Iterator[None]:
    """Point this process's Celery app (publishing, control) and settings at another Redis."""
    from django.conf import settings

    from dlquiz.celery import app

    def use(redis_url: str, broker_url: str) -> None:
        settings.REDIS_URL = redis_url
        app.conf.broker_url = broker_url
        # Both pools cache connections made for the previous URL.
        app._pool = None
        app.amqp._producer_pool = None

    old = (settings.REDIS_URL, app.conf.broker_url)
    use(url, url)
    try:
        yield
    finally:
        use(*old)


@dataclass
class CeleryWorker:
    redis: RedisServer
    name: str
    concurrency: int | None  # None: Celery's default, the host's cores
    env: dict
    process: subprocess.Popen | None = None
    log: Path | None = None
    # Runs the worker through another command, e.g. `ip netns exec NS` (which execs it in place).
    wrapper: tuple[str, ...] = ()

    def start(self) -> None:
        self.log = RUN_DIR / f"{self.name}.log"
        concurrency = () if self.concurrency is None else ("--concurrency", str(self.concurrency))
        self.process = subprocess.Popen(
            [
                *self.wrapper,
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "dlquiz",
                "worker",
                "--hostname",
                f"{self.name}@%h",
                *concurrency,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # Generous: a worker answers once its pool has started, which on a saturated 2-core
        # host (a neighbouring test suite, say) has taken over 90 s.
        wait_until(self.ready, timeout=240, interval=0.3, what=f"celery worker {self.name}")

    def ready(self) -> bool:
        from dlquiz.celery import app

        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"worker exited: {self.log.read_text()[-3000:]}")
        replies = app.control.ping(timeout=0.5) or []
        return any(name.startswith(f"{self.name}@") for reply in replies for name in reply)

    def pool_pids(self) -> list[int]:
        """The prefork children that actually run tasks."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def worker_database_url(*, host: str | None = None) -> str:
    """The URL of the test database this process uses, for a worker subprocess: the SQLite file of
    this run, or the PostgreSQL test database that pytest-django created (`test_<name>`). `host`
    replaces the server's address, for a worker that reaches it over another network."""
    from urllib.parse import quote

    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{TEST_DB}"
    assert db["ENGINE"] == "django.db.backends.postgresql", db["ENGINE"]
    user = quote(db["USER"], safe="")
    password = quote(db["PASSWORD"], safe="")
    where = f"{host or db['HOST']}:{db['PORT']}"
    return f"postgres://{user}:{password}@{where}/{quote(db['NAME'], safe='')}"


def on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def worker_env(redis: RedisServer, *, database_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="dlquiz.settings",
        DATABASE_URL=database_url or worker_database_url(),
        REDIS_URL=redis.url,
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def celery_worker(
    redis_server: RedisServer, django_db_setup, django_db_blocker
) -> Iterator[CeleryWorker]:
    """A real `celery -A dlquiz worker` process on the test database and the test Redis."""
    worker = CeleryWorker(
        redis=redis_server, name=f"test{os.getpid()}", concurrency=2, env=worker_env(redis_server)
    )
    worker.start()
    yield worker
    worker.stop()
