"""Per-process grading state of a Celery worker: the sandbox and the device it grades on."""

from __future__ import annotations

import functools
import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.sandbox import Sandbox

log = logging.getLogger(__name__)

UNSAFE_ENV = "DLQUIZ_UNSAFE_NO_SANDBOX"


@functools.cache
def has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def device_for(*, framework: str) -> str:
    return "cuda" if framework == "torch" and has_cuda() else "cpu"


def unsafe_mode() -> bool:
    return os.environ.get(UNSAFE_ENV) == "1"


def sandbox_refusal() -> str | None:
    """Why this host must not grade, or None. Without isolation the worker refuses to start."""
    if unsafe_mode():
        log.warning("%s=1: student code runs WITHOUT isolation (development only)", UNSAFE_ENV)
        return None
    from grader.sandbox import sandbox_self_test

    reason = sandbox_self_test()
    if reason is None:
        return None
    return (
        f"dlquiz worker refuses to start: the grading sandbox does not work on this host "
        f"({reason}). Install bubblewrap and run as a user that may create namespaces, "
        f"or set {UNSAFE_ENV}=1 for local development only."
    )


_sandbox: Sandbox | None = None


def sandbox_get() -> Sandbox:
    """The sandbox of this process, started on first use (after the pool forked)."""
    global _sandbox
    if _sandbox is None:
        from grader.sandbox import Sandbox

        _sandbox = Sandbox(unsafe=unsafe_mode())
    return _sandbox


def grading_warm_up() -> dict[str, float]:
    """Start the fork server, compute every expected value and time every performance reference
    on this worker's device, so that no submission pays for them. Returns the reference times
    (ms, keyed "slug/framework")."""
    from exercises.registry import exercise_list
    from grader import grading

    sandbox_get().start()
    exercises = exercise_list()
    for exercise in exercises:
        for case in exercise.cases():
            grading.expected_for(exercise=exercise, framework=exercise.frameworks[0], case=case)
    times = grading.reference_times_calibrate(
        exercises=exercises, device=device_for(framework="torch")
    )
    log.info("grading warmed up; reference times (ms): %s", times)
    return times


def sandbox_close() -> None:
    global _sandbox
    if _sandbox is not None:
        _sandbox.close()
        _sandbox = None
