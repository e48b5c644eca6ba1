"""Shared fixtures for the sandbox tests: one warm sandbox per test module."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox import Call, Job, Limits, Sandbox

SOFTMAX_TORCH = """
import torch

def softmax(x, dim=-1):
    m = x.max(dim=dim, keepdim=True).values
    e = torch.exp(x - m)
    return e / e.sum(dim=dim, keepdim=True)
"""

SMALL_LIMITS = Limits(time_per_call_s=1.0, time_total_s=4.0, memory_mb=256, max_pids=16)


def softmax_reference(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_job(*, source: str = SOFTMAX_TORCH, limits: Limits = SMALL_LIMITS, **extra) -> tuple:
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    job = Job(
        source=source,
        entry_point="softmax",
        framework="torch",
        calls=(Call(name="small", args=(x,), kwargs={}),),
        limits=limits,
        **extra,
    )
    return job, softmax_reference(x)


def assert_grades_softmax(sandbox: Sandbox) -> None:
    """The sandbox still runs a correct submission and returns its real result."""
    job, expected = softmax_job()
    result = sandbox.run(job)
    outcome = result.outcomes[0]
    assert outcome.status == "ok", outcome
    assert outcome.value_kind == "tensor"
    assert type(outcome.value) is np.ndarray and outcome.value.dtype == np.float32
    np.testing.assert_allclose(outcome.value, expected, rtol=1e-5, atol=1e-6)


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(unsafe=False)
    yield box
    box.close()
