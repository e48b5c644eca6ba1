"""One submission's source, output and results never reach a later submission's process.

Every child is forked from a zygote that was forked before the first job and never receives job
data, so nothing a fork server held for an earlier job (live objects or freed heap) is in a
child's memory. The probe reads every readable mapping of its own address space."""

from __future__ import annotations

import secrets

import numpy as np

from grader.sandbox import Call, Job, Limits

LIMITS = Limits(time_per_call_s=20.0, time_total_s=30.0, memory_mb=512, max_pids=16)
PREFIX = "ZQXA"

VICTIM = """
import numpy as np
MARK = "{prefix}{token}-source"
def f(x):
    print("{prefix}{token}-stdout")
    return np.frombuffer(b"{prefix}{token}-result".ljust(64, b"."), dtype=np.uint8).copy()
"""

# Builds the prefix at run time so its own source does not count as a find.
PROBE = """
import ctypes

def f(x):
    prefix = "ZQ" + "XA"
    needle = prefix.encode()
    finds, scanned = set(), 0
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        if "r" not in fields[1] or (len(fields) > 5 and fields[5].startswith("[v")):
            continue
        start, end = (int(part, 16) for part in fields[0].split("-"))
        data = ctypes.string_at(start, end - start)
        scanned += len(data)
        at = data.find(needle)
        while at >= 0:
            finds.add(data[at : at + 40].decode("ascii", "replace"))
            at = data.find(needle, at + 1)
    raise ValueError(f"scanned={scanned} finds={sorted(finds)!r}")
"""


def _job(source: str) -> Job:
    x = np.zeros(3, dtype=np.float32)
    return Job(
        source=source, entry_point="f", framework="numpy", limits=LIMITS,
        calls=(Call(name="c", args=(x,), kwargs={}),),
    )  # fmt: skip


def test_a_later_child_finds_nothing_of_an_earlier_job(sandbox):
    token = secrets.token_hex(8)
    victim = sandbox.run(_job(VICTIM.format(prefix=PREFIX, token=token)))
    assert victim.outcomes[0].status == "ok"
    assert token in victim.stdout
    for _ in range(2):  # the spare forked right after the victim, and the one after that
        probe = sandbox.run(_job(PROBE)).outcomes[0]
        assert probe.status == "raised", probe
        assert "scanned=" in probe.message, probe
        scanned = int(probe.message.split("scanned=")[1].split()[0])
        assert scanned > 50 << 20, probe.message  # it really read the runtime's memory
        assert token not in probe.message


def test_a_guard_zygote_made_after_a_job_holds_nothing_of_it(sandbox):
    """A child of an operator-family set first used after the victim comes from a zygote made
    then: it still finds nothing of the victim (that zygote is forked from one that never saw
    job data, not from the fork server)."""
    token = secrets.token_hex(8)
    victim = sandbox.run(_job(VICTIM.format(prefix=PREFIX, token=token)))
    assert victim.outcomes[0].status == "ok"
    for families in (("dropout",), ("dropout",), ("channel_shuffle", "multi_margin")):
        job = _job(PROBE)
        probe = sandbox.run(Job(**{**job.__dict__, "forbidden_ops": families})).outcomes[0]
        assert probe.status == "raised", probe
        assert "scanned=" in probe.message, probe
        assert token not in probe.message
