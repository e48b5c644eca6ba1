"""The picture of where a visible test's array differs, as the pages build it from stored data:
its colours keep their contrast in both themes, its text says what it shows, and stored data it
cannot read is left out rather than failing the page."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from django.utils import translation

from dlquiz.coding import feedback
from exercises.specs import ArrayPair
from grader.values import Budget, array_view

SITE_CSS = Path(__file__).resolve().parents[2] / "dlquiz/core/static/css/site.css"


def _variables(block: str) -> dict[str, str]:
    found = re.findall(r"--([\w-]+):\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", block)
    return {
        name: "#" + (hex if len(hex) == 6 else "".join(c * 2 for c in hex)) for name, hex in found
    }


def _themes() -> dict[str, dict[str, str]]:
    css = SITE_CSS.read_text()
    dark_blocks = re.findall(r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\}", css, re.DOTALL)
    light_css = re.sub(r"@media \(prefers-color-scheme: dark\) \{.*?\n\}", "", css, flags=re.DOTALL)
    light = _variables(" ".join(re.findall(r":root \{([^}]*)\}", light_css)))
    dark = {**light, **_variables(" ".join(dark_blocks))}
    return {"light": light, "dark": dark}


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_level_that_differs_stands_out_in_both_themes(theme):
    """WCAG 1.4.11: a cell that differs has 3:1 against a cell within the tolerance and against
    the page; the levels step apart from each other too."""
    colours = _themes()[theme]
    levels = [colours[f"heat-{level}"] for level in range(5)]
    assert colours["surface"] != _themes()["light" if theme == "dark" else "dark"]["surface"]
    for colour in levels[1:]:
        assert contrast(colour, levels[0]) >= 3.0, (theme, colour)
        assert contrast(colour, colours["surface"]) >= 3.0, (theme, colour)
        assert contrast(colour, colours["bg"]) >= 3.0, (theme, colour)
    for lower, higher in zip(levels[1:], levels[2:], strict=False):
        assert contrast(lower, higher) >= 1.4, (theme, lower, higher)


def _stored(got: np.ndarray, expected: np.ndarray) -> dict:
    view = array_view(
        pair=ArrayPair(name="result", got=got, expected=expected),
        rtol=1e-4,
        atol=1e-5,
        budget=Budget(),
    )
    assert view is not None
    return dict(view)


def test_the_label_says_how_much_differs_and_where():
    expected = np.zeros((3, 4), dtype=np.float32)
    got = expected.copy()
    got[2, 1] = 1.0
    got[0, 3] = 0.01
    with translation.override("en"):
        [view] = feedback.heatmaps(arrays=[_stored(got, expected)], prefix="t")
    assert view["summary"] == "2 of 12 elements differ; the largest error at row 2, column 1"
    assert view["picture"] and view["worst"] is not None
    assert [(c["x"] // view["cell"], c["y"] // view["cell"]) for c in view["cells"]] == [
        (3, 0),
        (1, 2),
    ]
    with translation.override("zh-hans"):
        [view] = feedback.heatmaps(arrays=[_stored(got, expected)], prefix="t")
    assert view["summary"] == "12 个元素中有 2 个不同；最大误差在第 2 行、第 1 列"


def test_a_higher_rank_names_its_slice_and_a_large_array_is_a_summary():
    expected = np.zeros((2, 3, 4), dtype=np.float32)
    got = expected.copy()
    got[1, 2, 3] = np.nan
    got[0, 0, 0] = 5.0
    with translation.override("en"):
        [view] = feedback.heatmaps(arrays=[_stored(got, expected)], prefix="t")
    assert view["title"] == "result[0, :, :]"
    assert view["summary"] == (
        "in the slice shown, 1 of 12 elements differs; 2 of 24 elements in all; "
        "the largest error at row 0, column 0"
    )
    big = np.zeros((100, 100), dtype=np.float32)
    with translation.override("en"):
        [summary] = feedback.heatmaps(arrays=[_stored(big + 1, big)], prefix="t")
    assert not summary["picture"] and summary["cells"] == []
    assert summary["summary"] == (
        "10000 of 10000 elements differ; the largest error at index (0, 0); too large to draw"
    )


def test_values_are_escaped_and_unreadable_entries_left_out():
    stored = _stored(np.array([1.0, 2.0], np.float32), np.array([1.0, 3.0], np.float32))
    hostile = dict(stored, name="<script>x</script>", expected=["<b>", 3.0])
    broken = dict(stored, rows="many")
    with translation.override("en"):
        views = feedback.heatmaps(arrays=[hostile, broken, "nonsense", {}], prefix="t")
    [view] = views
    assert "<b>" not in view["expected_html"] and "?" in view["expected_html"]
    assert '<mark class="heat-mark">' in view["got_html"]
    assert feedback.heatmaps(arrays="not a list", prefix="t") == []


def test_a_student_sees_only_numpys_own_warnings_of_a_hidden_test():
    warnings = [
        "RuntimeWarning: overflow encountered in exp (line 5)",
        "RuntimeWarning: invalid value encountered in divide",
        "UserWarning: x = [0.25, -1.5, 3.0]",
        "RuntimeWarning: overflow encountered in 0.25,-1.5",
        "RuntimeWarning: divide by zero encountered in log (line 7)",
        "RuntimeWarning: underflow encountered in multiply",
        "RuntimeWarning: overflow encountered in scalar multiply (line 9)",
    ]
    assert feedback.warnings_for_student(warnings=warnings, hidden=False) == warnings
    assert feedback.warnings_for_student(warnings=warnings, hidden=True) == [
        warnings[0],
        warnings[1],
        warnings[4],
    ]
    scalar = feedback.warnings_for_student(warnings=warnings[-1:], hidden=True)
    assert scalar == warnings[-1:]


def test_warnings_listed_under_tests_are_not_listed_again():
    stderr = ["RuntimeWarning: overflow encountered in exp", "UserWarning: loaded"]
    tests = [["RuntimeWarning: overflow encountered in exp (line 5)"], []]
    assert feedback.warnings_unattributed(stderr_warnings=stderr, test_warnings=tests) == [
        "UserWarning: loaded"
    ]
