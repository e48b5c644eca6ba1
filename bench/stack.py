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
    # A database server instead of the SQLite file in `workdir` (the two-host scenario).
    database_url: str | None = None
    # Redis listens on these addresses; beyond loopback it asks for `redis_password`.
    redis_bind: str = "127.0.0.1"
    redis_password: str | None = None
    # The worker pinned to these CPUs (`taskset -c`), to stand for a host with that many cores.
    worker_cpus: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def redis_url(self) -> str:
        return self.redis_url_at("127.0.0.1")

    def redis_url_at(self, address: str) -> str:
        auth = f":{self.redis_password}@" if self.redis_password else ""
        return f"redis://{auth}{address}:{self.redis_port}/0"

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
            DATABASE_URL=self.database_url or f"sqlite:///{self.workdir / 'db.sqlite3'}",
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

    def _spawn(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen:
        log = self.log_path(name).open("ab")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env | (env or {}),
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
                *self.redis_bind.split(),
                *(("--requirepass", self.redis_password) if self.redis_password else ()),
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
        pinned = ("taskset", "-c", self.worker_cpus) if self.worker_cpus else ()
        self._spawn(
            "celery",
            [
                *pinned,
                *self.worker_argv(
                    concurrency=self.config.celery_concurrency, name=f"bench{os.getpid()}"
                ),
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
                "-c",
                "python:dlquiz.gunicorn_conf",
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
        wait_for(self.worker_warm, timeout=180, interval=0.5, what="the worker to warm up")

    @staticmethod
    def worker_argv(*, concurrency: int, name: str) -> list[str]:
        return [
            *(str(VENV_BIN / "celery"), "-A", "dlquiz", "worker"),
            *("--concurrency", str(concurrency), "--loglevel", "INFO", "--hostname", f"{name}@%h"),
        ]

    def worker_warm(self, name: str = "celery", processes: int | None = None) -> bool:
        """Every pool process of worker `name` has started its fork server and timed the
        references."""
        self._alive(name)
        text = self.log_path(name).read_text(errors="replace")
        return text.count("grading warmed up") >= (processes or self.config.celery_concurrency)

    def _redis_ping(self) -> bool:
        self._alive("redis")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as conn,
        ):
            auth = f"AUTH {self.redis_password}\r\n".encode() if self.redis_password else b""
            conn.sendall(auth + b"PING\r\n")
            return b"+PONG" in conn.recv(64)
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
    **options: object,
) -> Iterator[Stack]:
    """The stack started with `config` and any other Stack field in `options`."""
    stack = Stack(
        config=config,
        keep_workdir=keep_workdir,
        unsafe_no_sandbox=unsafe_no_sandbox,
        **options,  # type: ignore[arg-type]
    )
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
