"""Pages under gunicorn, loaded with wrk (Debian's `wrk`) over loopback, each next to trivial
baselines measured in the same run: a static file and the login page."""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.client import ApiClient
from bench.stack import Account, Stack

# wrk reports only fixed latency buckets on its own; this prints the percentiles needed as JSON.
WRK_REPORT = r"""
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\nWRK-JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, '
    .. '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class PageLoad:
    name: str
    path: str
    status: int
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def wrk_path() -> str:
    """wrk, installed from Debian when missing (the bench runs as root on CI machines)."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", "wrk"],
        check=False,
        capture_output=True,
    )
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "wrk"],
            check=False,
            capture_output=True,
        )
        found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and `apt-get install wrk` failed (needs root)")
    return found


def session_cookie(*, stack: Stack, account: Account) -> str:
    """Log in through the real login form (CSRF token included) and return the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{stack.base_url}/accounts/login/"
    html = opener.open(login_url, timeout=10).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("the login page has no CSRF token")
    form = urllib.parse.urlencode(
        {
            "username": account.username,
            "password": account.password,
            "csrfmiddlewaretoken": match.group(1),
        }
    ).encode()
    opener.open(urllib.request.Request(login_url, data=form), timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError("logging in through /accounts/login/ gave no session cookie")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def page_status(*, stack: Stack, path: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(f"{stack.base_url}{path}", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def pages_discover(*, stack: Stack, account: Account, cookie: str) -> list[tuple[str, str]]:
    """(name, path) of each page to load: baselines first, then the product's pages, found the
    way a visitor finds them (links on the index, ids from the API)."""
    pages = [
        ("static file (baseline)", "/static/css/site.css"),
        ("login page (baseline)", "/accounts/login/"),
    ]
    status, html = page_status(stack=stack, path="/topics/", cookie=cookie)
    pages.append(("topic index", "/topics/"))
    topics = [
        href for href in re.findall(r'href="(/topics/[^"/?#]+/)"', html) if href != "/topics/"
    ]
    if topics:
        pages.append(("topic page", topics[0]))
    cards = ApiClient(base_url=stack.base_url, token=account.token).get("/api/cards/?search=a")
    rows = cards.body.get("results", []) if isinstance(cards.body, dict) else cards.body
    if cards.status == 200 and isinstance(rows, list) and rows:
        pages.append(("card page", f"/cards/{rows[0]['id']}/"))
    pages.append(("exercise list", "/exercises/"))
    pages.append(("exercise page", "/exercises/softmax/"))
    return pages


def wrk_run(
    *, wrk: str, url: str, cookie: str, seconds: int, connections: int, threads: int = 2
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    try:
        result = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-H",
                f"Cookie: {cookie}",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    match = re.search(r"WRK-JSON (\{.*\})", result.stdout)
    if result.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed on {url}: {result.stdout[-1000:]} {result.stderr[-1000:]}")
    return json.loads(match.group(1))


def web_run(
    *, stack: Stack, account: Account, seconds: int, connections: int = 8
) -> list[PageLoad]:
    wrk = wrk_path()
    cookie = session_cookie(stack=stack, account=account)
    results = []
    for name, path in pages_discover(stack=stack, account=account, cookie=cookie):
        status, _ = page_status(stack=stack, path=path, cookie=cookie)
        if status != 200:
            results.append(PageLoad(name, path, status, 0, 0.0, *(float("nan"),) * 3, 0, 0))
            continue
        raw = wrk_run(
            wrk=wrk,
            url=f"{stack.base_url}{path}",
            cookie=cookie,
            seconds=seconds,
            connections=connections,
        )
        results.append(
            PageLoad(
                name=name,
                path=path,
                status=status,
                requests=raw["requests"],
                rps=raw["requests"] / (raw["duration_us"] / 1e6),
                p50_ms=raw["p50_us"] / 1000,
                p95_ms=raw["p95_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                non_2xx=raw["non_2xx"],
                socket_errors=raw["socket_errors"],
            )
        )
    return results
