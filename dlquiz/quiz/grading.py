"""Grading one answer against its expected value. Pure Python: no Django.

Kinds: `single` (one choice index), `multiple` (a set of choice indexes, all-or-nothing),
`numeric` (absolute tolerance, optionally relative), `short` (exact texts after normalisation,
or full-match regular expressions, case-insensitive).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal, TypedDict

Kind = Literal["single", "multiple", "numeric", "short"]
KINDS: tuple[Kind, ...] = ("single", "multiple", "numeric", "short")

AnswerValue = int | float | str | list[int] | None


def kind_get(value: str) -> Kind:
    """The kind a stored `kind` column names; ValueError for anything else."""
    for kind in KINDS:
        if kind == value:
            return kind
    raise ValueError(f"unknown question kind {value!r}")


class Expected(TypedDict, total=False):
    """What a correct answer is; stored server-side only, never sent before grading."""

    choice: int  # single
    choices: list[int]  # multiple
    value: float  # numeric
    tolerance: float  # numeric, absolute
    rel_tolerance: float  # numeric, relative to |value|
    accept: list[str]  # short, exact after normalisation
    patterns: list[str]  # short, full-match regular expressions


class AnswerError(ValueError):
    """The given answer has the wrong shape for the question kind."""


def text_normalise(text: str) -> str:
    """NFKC (full-width → ASCII), case-folded, whitespace collapsed and trimmed."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split()).casefold()


def answer_parse(*, kind: Kind, given: AnswerValue) -> int | float | str | list[int] | None:
    """The answer in its canonical type; None for an empty answer; AnswerError if malformed."""
    if given is None or given == "" or given == []:
        return None
    if kind == "single":
        if isinstance(given, bool):
            raise AnswerError("expected a choice index")
        try:
            return int(given)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise AnswerError("expected a choice index") from exc
    if kind == "multiple":
        if not isinstance(given, list | tuple):
            raise AnswerError("expected a list of choice indexes")
        try:
            return sorted({int(v) for v in given})
        except (TypeError, ValueError) as exc:
            raise AnswerError("expected a list of choice indexes") from exc
    if kind == "numeric":
        if isinstance(given, bool | list):
            raise AnswerError("expected a number")
        text = unicodedata.normalize("NFKC", str(given)).strip().replace(",", "")
        try:
            value = float(text)
        except ValueError as exc:
            raise AnswerError("expected a number") from exc
        if not math.isfinite(value):
            raise AnswerError("expected a finite number")
        return value
    if kind == "short":
        if not isinstance(given, str | int | float) or isinstance(given, bool):
            raise AnswerError("expected text")
        return str(given)[:500]
    raise AnswerError(f"unknown question kind {kind!r}")


def answer_is_correct(*, kind: Kind, expected: Expected, given: AnswerValue) -> bool:
    """Whether `given` answers a question of `kind` whose correct answer is `expected`.

    A malformed or empty answer is simply wrong: grading never raises for student input."""
    try:
        value = answer_parse(kind=kind, given=given)
    except AnswerError:
        return False
    if value is None:
        return False
    if kind == "single":
        return value == expected["choice"]
    if kind == "multiple":
        return value == sorted(set(expected["choices"]))
    if kind == "numeric":
        target = float(expected["value"])
        allowed = max(
            float(expected.get("tolerance", 0.0)),
            float(expected.get("rel_tolerance", 0.0)) * abs(target),
        )
        # A hair of slack so that a tolerance of 0 still accepts "56.0" for 56.
        return abs(float(value) - target) <= allowed + 1e-9 * max(1.0, abs(target))
    if kind == "short":
        return short_matches(
            text=str(value),
            accept=expected.get("accept", []),
            patterns=expected.get("patterns", []),
        )
    return False


def short_matches(*, text: str, accept: Sequence[str], patterns: Sequence[str]) -> bool:
    normal = text_normalise(text)
    if any(normal == text_normalise(a) for a in accept):
        return True
    for pattern in patterns:
        try:
            if re.fullmatch(pattern, normal, flags=re.IGNORECASE) or re.fullmatch(
                pattern, text.strip(), flags=re.IGNORECASE
            ):
                return True
        except re.error:
            continue
    return False


def expected_describe(*, kind: Kind, expected: Expected, choices: Sequence[str] = ()) -> str:
    """The correct answer as text, for the result page."""
    if kind == "single":
        index = expected["choice"]
        return choices[index] if 0 <= index < len(choices) else str(index)
    if kind == "multiple":
        return "；".join(
            choices[i] if 0 <= i < len(choices) else str(i) for i in expected["choices"]
        )
    if kind == "numeric":
        value = float(expected["value"])
        text = f"{value:g}" if abs(value) < 1e15 else str(value)
        if value == int(value) and abs(value) < 1e15:
            text = str(int(value))
        tol = float(expected.get("tolerance", 0.0))
        return f"{text} (±{tol:g})" if tol else text
    accept = expected.get("accept", [])
    if accept:
        return accept[0]
    return " / ".join(expected.get("patterns", []))
