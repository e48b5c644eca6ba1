"""What a grade carries beyond the status, through the real sandbox: a failing visible test's
arrays (never a hidden test's), the Python warnings of each call under that call, however the
code raises them, and sandbox messages that read back into message codes."""

from __future__ import annotations

import numpy as np
import pytest

from exercises.registry import exercise_get
from grader import sandbox as sandbox_mod
from grader.grading import grade
from grader.messages import message_load, message_parse
from grader.sandbox import Call, Job, Limits

HALVED = """import numpy as np


def softmax(x, dim=-1):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True) / 2
"""
OVERFLOWING = """import numpy as np


def softmax(x, dim=-1):
    e = np.exp(x)
    return e / e.sum(axis=dim, keepdims=True)
"""


def _grade(sandbox, source: str, **kwargs):
    return grade(
        exercise=exercise_get("softmax"),
        framework="numpy",
        source=source,
        sandbox=sandbox,
        **kwargs,
    )


def test_only_visible_tests_carry_their_arrays(sandbox):
    result = _grade(sandbox, HALVED)
    visible = [t for t in result.tests if not t.hidden]
    hidden = [t for t in result.tests if t.hidden]
    assert visible and hidden
    assert all(t.status != "passed" and t.arrays for t in visible)
    assert all(t.arrays == [] for t in hidden)
    assert all(t.status != "passed" for t in hidden[:-1])
    for test in result.tests:
        assert test.detail is not None and message_load(test.detail) is not None
        assert message_load(test.detail).text("en") == test.message


def test_each_call_lists_the_warnings_it_raised(sandbox):
    """The same line warns in every test that reaches it: each test lists it."""
    result = _grade(sandbox, OVERFLOWING)
    overflowing = [t for t in result.tests if t.status == "invalid_output"]
    assert len(overflowing) >= 2
    for test in overflowing:
        assert "RuntimeWarning: overflow encountered in exp (line 5)" in test.warnings
    calm = next(t for t in result.tests if t.name == "sample: one row")
    assert calm.warnings == []
    # stderr still has them, as it always had.
    assert "RuntimeWarning: overflow encountered in exp" in result.stderr


def _job(source: str, **limits) -> Job:
    x = np.zeros((2, 3), dtype=np.float32)
    return Job(
        source=source,
        entry_point="f",
        framework="numpy",
        calls=(Call(name="one", args=(x,), kwargs={}), Call(name="two", args=(x,), kwargs={})),
        limits=Limits(time_per_call_s=2.0, time_total_s=8.0, memory_mb=256, **limits),
    )


@pytest.mark.parametrize(
    ("source", "expect"),
    [
        (
            "import warnings\n"
            "def f(x):\n"
            "    for i in range(40):\n"
            "        warnings.warn('w%d ' % i + 'x' * 400)\n"
            "    return x\n",
            "many",
        ),
        (
            "import warnings\n"
            "class Loud(UserWarning):\n"
            "    def __str__(self):\n"
            "        raise RuntimeError('no text')\n"
            "def f(x):\n"
            "    warnings.warn(Loud())\n"
            "    return x\n",
            "raises",
        ),
        (
            "import warnings\n"
            "warnings.showwarning = lambda *a, **k: None\n"
            "def f(x):\n"
            "    warnings.warn('hidden away')\n"
            "    return x\n",
            "own",
        ),
        (
            "import warnings\n"
            "def f(x):\n"
            "    warnings.simplefilter('error')\n"
            "    warnings.warn('now an error')\n"
            "    return x\n",
            "error",
        ),
    ],
    ids=["many", "str-raises", "own-showwarning", "as-error"],
)
def test_hostile_warnings_stay_within_the_caps(sandbox, source, expect):
    result = sandbox.run(_job(source))
    assert result.compile_error is None
    for outcome in result.outcomes:
        assert len(outcome.warnings) <= sandbox_mod.WARNINGS_KEPT
        assert all(len(w) <= sandbox_mod.WARNING_CHARS + 20 for w in outcome.warnings)
        if expect == "many":
            assert outcome.status == "ok" and len(outcome.warnings) == sandbox_mod.WARNINGS_KEPT
        elif expect == "raises":
            assert outcome.status == "raised" and "RuntimeError" in outcome.message
        elif expect == "own":
            # Kept for the test, and shown the code's own way (here: not at all).
            assert outcome.status == "ok"
            assert outcome.warnings == ("UserWarning: hidden away (line 4)",)
            assert "hidden away" not in result.stderr
        else:
            assert outcome.status == "raised" and outcome.exception.startswith("UserWarning")
    # The filter the code set in its first call does not carry into the next call's capture.
    if expect == "error":
        assert all(o.status == "raised" for o in result.outcomes)


def test_what_a_child_claims_as_warnings_is_capped_on_the_trusted_side():
    assert sandbox_mod._warnings("not a list") == ()
    assert sandbox_mod._warnings([1, None, b"x", "", "ok"]) == ("ok",)
    claimed = sandbox_mod._warnings(["y" * 10_000] * 1000)
    assert len(claimed) == sandbox_mod.WARNINGS_KEPT
    assert all(len(text) == sandbox_mod.WARNING_CHARS for text in claimed)


@pytest.mark.parametrize(
    ("source", "code", "limits"),
    [
        ("def f(x):\n    while True:\n        pass\n", "sandbox.time_limit", {}),
        ("def f(x):\n    import sys\n    sys.exit(3)\n", "call.exit", {}),
        ("def f(x):\n    print('x' * 100000)\n    return x\n", "sandbox.output_flood", {}),
        ("def f(x):\n    return 1 / 0\n", "raised.line", {}),
        ("def f(x):\n    return object()\n", "output.type", {}),
        ("def g(x):\n    return x\n", "load.no_entry", {}),
        ("f = 3\n", "load.not_function", {}),
        ("import sys\nsys.exit(0)\n", "load.exit", {}),
        ("def f(x):\n    return x +\n", "raised.line", {}),
        ("def f(x):\n    return [0] * (10 ** 10)\n", "raised.bare", {}),
    ],
)
def test_the_sandboxs_own_messages_read_back_into_codes(sandbox, source, code, limits):
    result = sandbox.run(_job(source, **limits))
    text = result.compile_error or result.outcomes[0].message
    read = message_parse(text)
    assert read.code == code, text
    assert read.text("en") == text
