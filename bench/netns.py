"""A second host on this machine: a network namespace joined to this one by a veth pair on a
private /30, made on entry and removed on exit. Processes started through `Host.wrap` live in
it under the host's own hostname and reach this machine only at `Host.local` (their 127.0.0.1
is their own). Used by the worker-host tests and by the bench's two-host scenario.

Needs root and iproute2 (`ip`), nsenter and unshare (util-linux)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Host:
    """Namespace `netns` with hostname `name`, reached at `peer`; this machine is `local` to it."""

    name: str
    netns: str
    local: str
    peer: str

    def exec(self, *command: str, timeout: float = 10) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ip", "netns", "exec", self.netns, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def wrap(self) -> tuple[str, ...]:
        """A prefix that runs a command in the namespace under the host's hostname. nsenter (unlike
        `ip netns exec`) keeps /sys and so the cgroups the sandbox limits memory with; each program
        execs the next, so the command keeps the pid its starter signals."""
        return (
            *("nsenter", f"--net=/run/netns/{self.netns}", "unshare", "--uts"),
            *("sh", "-c", 'hostname "$0" && exec "$@"', self.name),
        )

    def reaches(self, address: str, port: int) -> bool:
        probe = (
            "import socket, sys\n"
            "try:\n"
            f"    socket.create_connection(({address!r}, {port}), timeout=2).close()\n"
            "except OSError:\n"
            "    sys.exit(1)\n"
        )
        return self.exec("python3", "-c", probe).returncode == 0


def unavailable() -> str | None:
    """Why a namespace host cannot be made here, or None."""
    if os.geteuid() != 0:
        return "a network namespace needs root"
    for tool, package in (("ip", "iproute2"), ("nsenter", "util-linux"), ("unshare", "util-linux")):
        if not shutil.which(tool):
            return f"{tool} is not installed (apt-get install {package})"
    return None


def free_subnet() -> ipaddress.IPv4Network:
    """A /30 in 10.213.0.0/16 that no route of this machine overlaps."""
    routes = subprocess.run(
        ["ip", "-4", "route", "show", "table", "all"], capture_output=True, text=True
    ).stdout
    taken = []
    for line in routes.splitlines():
        with contextlib.suppress(ValueError):
            taken.append(ipaddress.ip_network(line.split()[0], strict=False))
    rng = random.Random()
    for _ in range(200):
        net = ipaddress.ip_network(f"10.213.{rng.randrange(256)}.{rng.randrange(64) * 4}/30")
        if not any(net.overlaps(other) for other in taken if other.prefixlen > 0):
            return net
    raise RuntimeError("no free /30 in 10.213.0.0/16")


@contextlib.contextmanager
def host_namespace(prefix: str = "dlq-host") -> Iterator[Host]:
    tag = f"{os.getpid() % 100000}{random.randrange(100)}"
    netns, here, there = f"{prefix}{tag}", f"dlqh{tag}", f"dlqw{tag}"
    local, peer = (str(a) for a in free_subnet().hosts())
    steps = [
        ["ip", "netns", "add", netns],
        ["ip", "link", "add", here, "type", "veth", "peer", "name", there],
        ["ip", "link", "set", there, "netns", netns],
        ["ip", "addr", "add", f"{local}/30", "dev", here],
        ["ip", "link", "set", here, "up"],
        ["ip", "netns", "exec", netns, "ip", "addr", "add", f"{peer}/30", "dev", there],
        ["ip", "netns", "exec", netns, "ip", "link", "set", there, "up"],
        ["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"],
    ]
    try:
        for step in steps:
            subprocess.run(step, check=True, capture_output=True, timeout=10)
        yield Host(name=netns, netns=netns, local=local, peer=peer)
    finally:
        subprocess.run(["ip", "link", "del", here], capture_output=True, timeout=10)
        subprocess.run(["ip", "netns", "del", netns], capture_output=True, timeout=10)


def namespace_exists(netns: str) -> bool:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return any(line.split()[0] == netns for line in listed.splitlines() if line.strip())
