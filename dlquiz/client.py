"""Command-line client of the dlquiz API (standard library only).

    python -m dlquiz.client submit softmax solution.py --framework torch
    python -m dlquiz.client samples softmax solution.py --framework numpy
    python -m dlquiz.client exercises
    python -m dlquiz.client show 17

The token comes from DLQUIZ_TOKEN (or a prompt, which also accepts a username and password);
the server from DLQUIZ_URL (default http://127.0.0.1:8000). Exit status: 0 when accepted,
1 when graded otherwise, 2 on a usage or server error.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

DEFAULT_URL = "http://127.0.0.1:8000"
FINAL = ("graded", "failed")


class ClientError(Exception):
    pass


@dataclass
class Api:
    base_url: str
    token: str
    timeout_s: float = 30.0

    def request(
        self, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.base_url.rstrip("/") + path,
            data=data,
            method=method,
            headers={"Accept": "application/json", **(headers or {})},
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, dict(response.headers), _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), _json(error.read())
        except urllib.error.URLError as error:
            raise ClientError(f"cannot reach {self.base_url}: {error.reason}") from error


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"detail": raw[:200].decode("utf-8", "replace")}


def error_text(status: int, data: Any) -> str:
    if isinstance(data, dict):
        parts = []
        for field, value in data.items():
            text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(text if field == "detail" else f"{field}: {text}")
        return f"HTTP {status}: " + "; ".join(parts)
    return f"HTTP {status}"


def token_obtain(*, base_url: str, stdin_is_tty: bool) -> str:
    """DLQUIZ_TOKEN, else ask: a token, or an empty answer then a username and password."""
    token = os.environ.get("DLQUIZ_TOKEN", "").strip()
    if token or not stdin_is_tty:
        return token
    token = getpass.getpass("API token (empty to log in with a username and password): ").strip()
    if token:
        return token
    username = input("Username: ").strip()
    password = getpass.getpass("Password: ")
    status, _, data = Api(base_url=base_url, token="").request(
        "POST", "/api/auth/token/", body={"username": username, "password": password}
    )
    if status != 200:
        raise ClientError(error_text(status, data))
    return data["token"]


def submission_post(
    api: Api, *, path: str, payload: dict, out: TextIO, max_waits: int = 20
) -> dict:
    """POST with one idempotency key for every retry, so a lost answer never grades twice."""
    key = str(uuid.uuid4())
    for _ in range(max_waits):
        status, headers, data = api.request(
            "POST", path, body=payload, headers={"Idempotency-Key": key}
        )
        if status in (200, 201, 202):
            return data
        if status == 429:
            wait = float(headers.get("Retry-After") or 5)
            out.write(f"busy: {error_text(status, data)}; retrying in {wait:g} s\n")
            time.sleep(wait)
            continue
        raise ClientError(error_text(status, data))
    raise ClientError("gave up: the server kept refusing (429)")


def submission_wait(
    api: Api, *, submission_id: int, out: TextIO, interval_s: float = 0.5, timeout_s: float = 600
) -> dict:
    """Wait for the grade, holding each request open on the server (`?wait=`) rather than polling;
    a server that answers at once while busy is asked again after interval_s."""
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        asked = time.monotonic()
        status, _, data = api.request("GET", f"/api/submissions/{submission_id}/?wait=20")
        if status != 200:
            raise ClientError(error_text(status, data))
        if data["status"] != last:
            last = data["status"]
            out.write(f"#{submission_id}: {last}\n")
        if data["status"] in FINAL:
            return data
        if time.monotonic() > deadline:
            raise ClientError(f"still {data['status']} after {timeout_s:g} s")
        if time.monotonic() - asked < interval_s:
            time.sleep(interval_s)


def _number(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def result_table(data: dict) -> str:
    """The per-test table a student reads, then the verdict and score."""
    rows = [("test", "status", "score", "time", "message")]
    for test in data.get("tests", []):
        name = test["name"] + (" (hidden)" if test["hidden"] else "")
        time_ms = "" if test["time_ms"] is None else f"{test['time_ms']:.1f} ms"
        message = " ".join(str(test["message"]).split())
        if len(message) > 80:
            message = message[:77] + "..."
        score = f"{_number(test['score'])}/{_number(test['max_score'])}"
        rows.append((name, test["status"], score, time_ms, message))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:4])] + [row[4]]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    if data.get("message"):
        lines.append("")
        lines.append(str(data["message"]).rstrip())
    lines.append("")
    verdict = data.get("verdict") or data["status"]
    score = f"{_number(data.get('score'))}/{_number(data.get('max_score'))}"
    lines.append(f"verdict: {verdict}   score: {score}")
    return "\n".join(lines) + "\n"


def command_submit(api: Api, args: argparse.Namespace, out: TextIO) -> int:
    with open(args.file, encoding="utf-8") as source:
        code = source.read()
    payload = {"exercise": args.exercise, "framework": args.framework, "code": code}
    path = "/api/submissions/run-samples/" if args.command == "samples" else "/api/submissions/"
    created = submission_post(api, path=path, payload=payload, out=out)
    out.write(f"submission #{created['id']}: {created['status']}\n")
    if args.no_wait:
        return 0
    data = submission_wait(api, submission_id=created["id"], out=out)
    out.write(result_table(data))
    return 0 if data.get("verdict") == "accepted" else 1


def command_show(api: Api, args: argparse.Namespace, out: TextIO) -> int:
    status, _, data = api.request("GET", f"/api/submissions/{args.id}/")
    if status != 200:
        raise ClientError(error_text(status, data))
    out.write(result_table(data))
    return 0 if data.get("verdict") == "accepted" else 1


def command_exercises(api: Api, args: argparse.Namespace, out: TextIO) -> int:
    status, _, data = api.request("GET", "/api/exercises/")
    if status != 200:
        raise ClientError(error_text(status, data))
    items = data["results"] if isinstance(data, dict) else data
    for item in items:
        frameworks = ", ".join(item["frameworks"])
        out.write(
            f"{item['slug']:<20} {_number(item['max_score']):>5}  {frameworks}  {item['title']}\n"
        )
    return 0


def parser_build() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dlquiz.client", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--url", default=None, help=f"server (DLQUIZ_URL, default {DEFAULT_URL})")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("submit", "submit a solution, wait for the grade, print the per-test table"),
        ("samples", "run a solution on the visible sample tests only (not recorded)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("exercise", help="exercise slug, e.g. softmax")
        command.add_argument("file", help="Python source file")
        command.add_argument("--framework", default="torch", choices=["torch", "numpy", "python"])
        command.add_argument("--no-wait", action="store_true", help="print the id and exit")
    show = commands.add_parser("show", help="print the result of a submission")
    show.add_argument("id", type=int)
    commands.add_parser("exercises", help="list the exercises")
    return parser


def main(argv: list[str] | None = None, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = parser_build().parse_args(argv)
    base_url = args.url or os.environ.get("DLQUIZ_URL") or DEFAULT_URL
    try:
        token = token_obtain(base_url=base_url, stdin_is_tty=sys.stdin.isatty())
        api = Api(base_url=base_url, token=token)
        handler = {
            "submit": command_submit,
            "samples": command_submit,
            "show": command_show,
            "exercises": command_exercises,
        }[args.command]
        return handler(api, args, out)
    except (ClientError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
