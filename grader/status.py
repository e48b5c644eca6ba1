"""The one vocabulary of test statuses and verdicts (CONTRACT §2), used by the checkers, the
sandbox, the fork server, grading, the API and the pages. A leaf module: it imports nothing of the
project, so every layer can use it.

`TestStatus` is what one test ends as; a verdict is "accepted", "compile_error" or the status of
the first test that did not pass. `Outcome` adds the two raw outcomes of a call in the sandbox
("ok": it returned, "raised": it raised) that only the judge turns into test statuses.
"""

from __future__ import annotations

from enum import StrEnum


class TestStatus(StrEnum):
    PASSED = "passed"
    WRONG_ANSWER = "wrong_answer"
    INVALID_OUTPUT = "invalid_output"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT_EXCEEDED = "time_limit_exceeded"
    MEMORY_LIMIT_EXCEEDED = "memory_limit_exceeded"
    OUTPUT_LIMIT_EXCEEDED = "output_limit_exceeded"
    TOO_SLOW = "too_slow"
    FORBIDDEN_API = "forbidden_api"
    NOT_RUN = "not_run"


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    COMPILE_ERROR = "compile_error"


class Outcome(StrEnum):
    """What the sandbox reports for one call before it is judged."""

    OK = "ok"
    RAISED = "raised"


TEST_STATUSES: tuple[str, ...] = tuple(status.value for status in TestStatus)
VERDICTS: tuple[str, ...] = (
    Verdict.ACCEPTED.value,
    Verdict.COMPILE_ERROR.value,
    *(status.value for status in TestStatus if status is not TestStatus.PASSED),
)
# Sandbox outcomes that are already test statuses: the judge passes them through unchanged.
SANDBOX_STATUSES: frozenset[str] = frozenset(
    {
        TestStatus.RUNTIME_ERROR,
        TestStatus.TIME_LIMIT_EXCEEDED,
        TestStatus.MEMORY_LIMIT_EXCEEDED,
        TestStatus.OUTPUT_LIMIT_EXCEEDED,
        TestStatus.INVALID_OUTPUT,
        TestStatus.FORBIDDEN_API,
        TestStatus.NOT_RUN,
    }
)
OUTCOMES: frozenset[str] = frozenset({Outcome.OK, Outcome.RAISED, *SANDBOX_STATUSES})
