"""The whole service as production runs it, started for one benchmark run: its own redis-server,
a fresh SQLite database, one Celery worker with the sandbox on, gunicorn. Everything is started
in its own process group and stopped, whatever happens, by `Stack.stop`."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


class StackError(RuntimeError):
    """A part of the service did not start; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise StackError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class Account:
    username: str
    password: str
    token: str
    instructor: bool


@dataclass
class StackConfig:
    celery_concurrency: int = 2
    gunicorn_workers: int = 4
    gunicorn_threads: int = 2
    instructors: int = 10
    students: int = 1


@dataclass
class Stack:
    config: StackConfig = field(default_factory=StackConfig)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dlquiz-bench-")))
    redis_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)
    keep_workdir: bool = False
    # Development comparison only: grade without isolation, to see what the sandbox costs.
    unsafe_no_sandbox: bool = False
    settings_module: str = "dlquiz.settings"
    # Why the production static-files storage could not be used, if it could not.

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DLQUIZ_", "PYTEST")) and k != "DATABASE_URL"
        }
        # Production settings (DEBUG off, manifest static files), minus TLS: the bench speaks
        # plain HTTP over loopback. The sandbox stays on: DLQUIZ_UNSAFE_NO_SANDBOX is dropped.
        env.update(
            DJANGO_SETTINGS_MODULE=self.settings_module,
            DJANGO_DEBUG="0",
            DJANGO_SECURE_SSL="0",
            DJANGO_SECRET_KEY=self._secret_key,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_LOG_LEVEL="WARNING",
            DATABASE_URL=f"sqlite:///{self.workdir / 'db.sqlite3'}",
            REDIS_URL=self.redis_url,
            PYTHONUNBUFFERED="1",
        )
        if self.unsafe_no_sandbox:
            env["DLQUIZ_UNSAFE_NO_SANDBOX"] = "1"
        return env

    def __post_init__(self) -> None:
        self._secret_key = secrets.token_urlsafe(50)

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = self.log_path(name).open("ab")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def _alive(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            tail = self.log_path(name).read_text(errors="replace")[-3000:]
            raise StackError(f"{name} exited with {process.returncode}:\n{tail}")

    def _manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self, *, log: Callable[[str], None] = print) -> None:
        redis_server = shutil.which("redis-server")
        if not redis_server:
            raise StackError("redis-server is not installed: run `make setup`")
        log(f"workdir {self.workdir}")
        (self.workdir / "redis").mkdir(exist_ok=True)
        self._spawn(
            "redis",
            [
                redis_server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--dir",
                str(self.workdir / "redis"),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--maxmemory-policy",
                "noeviction",
                "--save",
                "",
            ],
        )
        wait_for(self._redis_ping, timeout=10, what="redis-server")

        log("migrate, load_content, collectstatic")
        self._manage("migrate", "--noinput")
        self._manage("load_content")
        self._manage("collectstatic", "--noinput")
        self.accounts = self._seed_accounts()

        sandbox = "OFF" if self.unsafe_no_sandbox else "on"
        log(f"celery worker (concurrency {self.config.celery_concurrency}, sandbox {sandbox})")
        self._spawn(
            "celery",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "dlquiz",
                "worker",
                "--concurrency",
                str(self.config.celery_concurrency),
                "--loglevel",
                "INFO",
                "--hostname",
                f"bench{os.getpid()}@%h",
            ],
        )
        log(
            f"gunicorn ({self.config.gunicorn_workers} workers x "
            f"{self.config.gunicorn_threads} threads) on {self.base_url}"
        )
        self._spawn(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "dlquiz.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.config.gunicorn_workers),
                "--threads",
                str(self.config.gunicorn_threads),
                "--graceful-timeout",
                "5",
            ],
        )
        wait_for(self._healthy, timeout=180, interval=0.5, what="/healthz to report ok")
        # Measure the steady state: every pool process has started its fork server and timed
        # the references (the first submission after start is reported on its own).
        wait_for(self._worker_warm, timeout=180, interval=0.5, what="the worker to warm up")

    def _worker_warm(self) -> bool:
        self._alive("celery")
        text = self.log_path("celery").read_text(errors="replace")
        return text.count("grading warmed up") >= self.config.celery_concurrency

    def _redis_ping(self) -> bool:
        self._alive("redis")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as conn,
        ):
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
        return False

    def _healthy(self) -> bool:
        for name in ("redis", "celery", "gunicorn"):
            self._alive(name)
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=3) as response:
                return json.load(response).get("status") == "ok"
        except (OSError, ValueError, urllib.error.HTTPError):
            return False

    def _seed_accounts(self) -> list[Account]:
        result = subprocess.run(
            [
                str(VENV_BIN / "python"),
                str(ROOT / "bench" / "seed.py"),
                "--instructors",
                str(self.config.instructors),
                "--students",
                str(self.config.students),
            ],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise StackError(f"seeding accounts failed:\n{result.stderr[-3000:]}")
        return [Account(**row) for row in json.loads(result.stdout)]

    def instructors(self) -> list[Account]:
        return [a for a in self.accounts if a.instructor]

    def students(self) -> list[Account]:
        return [a for a in self.accounts if not a.instructor]

    def stop(self) -> None:
        """SIGTERM each process group, newest first, then SIGKILL whatever is left."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            # The group may outlive its leader (pool children, sandboxes): kill it regardless.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self.processes.clear()
        if not self.keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def running_stack(
    config: StackConfig,
    *,
    keep_workdir: bool = False,
    unsafe_no_sandbox: bool = False,
    log: Callable[[str], None] = print,
) -> Iterator[Stack]:
    stack = Stack(config=config, keep_workdir=keep_workdir, unsafe_no_sandbox=unsafe_no_sandbox)
    # SIGTERM (e.g. from a CI timeout) must still stop every process the bench started.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start(log=log)
        yield stack
    except BaseException:
        stack.keep_workdir = True  # its logs say what went wrong
        log(f"logs kept in {stack.workdir}")
        raise
    finally:
        stack.stop()
        signal.signal(signal.SIGTERM, previous)
