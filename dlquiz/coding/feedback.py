"""What the result pages make of a graded test's stored data: the grader's message in the page's
language, the warnings a viewer may see, and, for a visible test that failed on an array, a
picture of where it differs from the expected one beside both values. Reads only what a selector
already decided the viewer may see."""

from __future__ import annotations

import math
import re
from typing import TypedDict

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from grader.messages import Message, ParamData, message_load, message_parse, text_message
from grader.values import NON_FINITE, WITHIN, ArrayView

# What each level of a picture means (grader.values), in order.
LEVEL_LABELS = (
    gettext_noop("within the tolerance"),
    gettext_noop("up to 10× the tolerance"),
    gettext_noop("10 to 100× the tolerance"),
    gettext_noop("more than 100× the tolerance"),
    gettext_noop("NaN or ±inf where the expected value differs"),
)
# A warning a student may read for a hidden test: numpy's floating-point warnings, whose text is
# numpy's own. Any other warning text is the code's to choose, and could spell out a hidden input.
HIDDEN_TEST_WARNING = re.compile(
    r"RuntimeWarning: (overflow|underflow|invalid value|divide by zero) encountered in "
    r"(scalar )?[a-z_0-9]{1,40}( \(line \d{1,6}\))?"
)
HIDDEN_TEST_WARNINGS_SHOWN = 3
LINE_SUFFIX = re.compile(r" \(line \d+\)$")
# Pixels of a picture's cell: large for a few columns, small for many, so up to 64 columns fit a
# phone; wider ones scroll in their box. Cells too small for grid lines go without.
CELL_PX = ((8, 24), (16, 18), (32, 10), (64, 5))
SMALL_CELL_PX = 4
GRID_LINES_MIN_PX = 8


def page_language() -> str:
    """The language grader messages are shown in: "en", or "zh" (Chinese unless English)."""
    return "en" if (get_language() or "").startswith("en") else "zh"


def html_language(language: str) -> str:
    return "en" if language == "en" else "zh-Hans"


def graded_test_message(*, data: object, text: str) -> Message | None:
    """A test's message as code and parameters: the stored data, else its English text read back
    (a grade stored before messages had codes); None when there is none."""
    loaded = message_load(data) if data is not None else None
    if loaded is not None:
        return loaded
    return message_parse(text) if text else None


class MessageView(TypedDict):
    text: str
    # The language the text is in (an HTML lang value): text no format covers stays English.
    lang: str


def message_view(*, code: str, params: dict[str, ParamData], text: str) -> MessageView:
    """A message for the page, in its language."""
    language = page_language()
    loaded = message_load({"code": code, "params": params}) if code else None
    if loaded is None:
        loaded = text_message(text)
    shown = loaded.text(language)
    untranslated = loaded.code == "text" or (language == "zh" and shown == loaded.text("en"))
    return MessageView(text=shown, lang="en" if untranslated else html_language(language))


def warnings_for_student(*, warnings: list[str], hidden: bool) -> list[str]:
    """The warnings of a test a student may see: all of a visible test's; of a hidden test's,
    only numpy's floating-point warnings, a few (their text is numpy's, not the code's)."""
    texts = [text for text in warnings if isinstance(text, str)]
    if not hidden:
        return texts
    return [text for text in texts if HIDDEN_TEST_WARNING.fullmatch(text)][
        :HIDDEN_TEST_WARNINGS_SHOWN
    ]


def warnings_unattributed(
    *, stderr_warnings: list[str], test_warnings: list[list[str]]
) -> list[str]:
    """Warnings of stderr that no test lists as its own (raised while the code loaded)."""
    claimed = {LINE_SUFFIX.sub("", text) for texts in test_warnings for text in texts}
    return [text for text in stderr_warnings if text not in claimed]


class HeatCell(TypedDict):
    x: int
    y: int
    level: int


class LegendItem(TypedDict):
    level: int
    label: str


class HeatmapView(TypedDict):
    name: str
    # What is shown: the array, or one 2-D slice of it ("result[1, :, :]").
    title: str
    shape: str
    # The picture's text alternative, also shown under it.
    summary: str
    picture: bool
    width: int
    height: int
    cell: int
    cells: list[HeatCell]
    worst: HeatCell | None
    expected_html: SafeString
    got_html: SafeString
    legend: list[LegendItem]
    pattern_id: str
    grid_lines: bool


def heatmaps(*, arrays: object, prefix: str) -> list[HeatmapView]:
    """Pictures of a visible test's arrays (stored by grader.values); malformed entries are left
    out. `prefix` keeps the ids of several pictures on one page apart."""
    views: list[HeatmapView] = []
    if not isinstance(arrays, list):
        return views
    for index, array in enumerate(arrays):
        try:
            views.append(_heatmap(array, pattern_id=f"{prefix}-{index}"))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
    return views


def _heatmap(array: ArrayView, *, pattern_id: str) -> HeatmapView:
    name = str(array["name"])
    shape = [int(n) for n in array["shape"]]
    lead = [int(n) for n in array["slice"]]
    rows, cols = int(array["rows"]), int(array["cols"])
    levels = array["levels"]
    expected, got = array["expected"], array["got"]
    picture = (
        isinstance(levels, list)
        and isinstance(expected, list)
        and isinstance(got, list)
        and rows * cols == len(levels) == len(expected) == len(got)
        and rows * cols > 0
    )
    title = name + (f"[{', '.join(str(i) for i in lead)}, :, :]" if lead else "")
    cell = next((px for most, px in CELL_PX if cols <= most), SMALL_CELL_PX)
    cells: list[HeatCell] = []
    worst: HeatCell | None = None
    if picture:
        assert isinstance(levels, list)
        cells = [
            HeatCell(x=(i % cols) * cell, y=(i // cols) * cell, level=int(level))
            for i, level in enumerate(levels)
            if WITHIN < int(level) <= NON_FINITE
        ]
        shown_worst = [int(n) for n in array["shown_worst"]]
        if len(shown_worst) == 2:
            worst = HeatCell(x=shown_worst[1] * cell, y=shown_worst[0] * cell, level=0)
    return HeatmapView(
        name=name,
        title=title,
        shape="(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")",
        summary=_summary(array, rows=rows, cols=cols, levels=levels if picture else None),
        picture=picture,
        width=cols * cell,
        height=rows * cell,
        cell=cell,
        cells=cells,
        worst=worst,
        expected_html=_grid_html(expected, None, cols) if picture else SafeString(""),
        got_html=_grid_html(got, levels, cols) if picture else SafeString(""),
        legend=[LegendItem(level=i, label=gettext(label)) for i, label in enumerate(LEVEL_LABELS)],
        pattern_id=pattern_id,
        grid_lines=cell >= GRID_LINES_MIN_PX,
    )


def _summary(array: ArrayView, *, rows: int, cols: int, levels: object) -> str:
    """E.g. "3 of 40 elements differ; the largest error at row 2, column 5"."""
    size, differ = int(array["size"]), int(array["differ"])
    lead = array["slice"]
    parts: list[str] = []
    if lead and isinstance(levels, list):
        shown_differ = sum(1 for level in levels if int(level) > WITHIN)
        parts.append(
            ngettext(
                "in the slice shown, %(differ)s of %(size)s elements differs",
                "in the slice shown, %(differ)s of %(size)s elements differ",
                shown_differ,
            )
            % {"differ": shown_differ, "size": rows * cols}
        )
        parts.append(
            gettext("%(differ)s of %(size)s elements in all") % {"differ": differ, "size": size}
        )
    else:
        parts.append(
            ngettext(
                "%(differ)s of %(size)s elements differs",
                "%(differ)s of %(size)s elements differ",
                differ,
            )
            % {"differ": differ, "size": size}
        )
    shown_worst = array["shown_worst"]
    rank = len(array["shape"])
    if isinstance(levels, list) and len(shown_worst) == 2 and rank >= 2:
        parts.append(
            gettext("the largest error at row %(row)s, column %(column)s")
            % {"row": shown_worst[0], "column": shown_worst[1]}
        )
    elif isinstance(levels, list) and len(shown_worst) == 2 and rank == 1:
        parts.append(gettext("the largest error at index %(index)s") % {"index": shown_worst[1]})
    elif rank:
        index = ", ".join(str(i) for i in array["worst"])
        if index:
            parts.append(gettext("the largest error at index (%(index)s)") % {"index": index})
    if not isinstance(levels, list):
        parts.append(gettext("too large to draw"))
    return gettext("; ").join(parts)


def _number(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    if value in ("nan", "inf", "-inf"):
        return str(value)
    return "?"


def _grid_html(values: object, levels: object, cols: int) -> SafeString:
    """The shown values as aligned rows; with levels, the ones outside the tolerance marked."""
    assert isinstance(values, list)
    texts = [_number(value) for value in values]
    width = max((len(text) for text in texts), default=1)
    marked = levels if isinstance(levels, list) else [0] * len(texts)
    rows = []
    for start in range(0, len(texts), cols):
        cells = [
            format_html('<mark class="heat-mark">{}</mark>', text.rjust(width))
            if int(level) > WITHIN
            else format_html("{}", text.rjust(width))
            for text, level in zip(
                texts[start : start + cols], marked[start : start + cols], strict=True
            )
        ]
        rows.append(format_html_join(" ", "{}", ((cell,) for cell in cells)))
    return format_html_join("\n", "{}", ((row,) for row in rows))
