"""Server-side SVG charts for the admin; only numbers and fixed text go into the markup."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from dlquiz.coding.selectors import HistogramBin


def histogram_svg(*, bins: list[HistogramBin], width: int = 520, height: int = 220) -> SafeString:
    """A bar per bin, labelled with its count and range; the y axis scales to the largest bin."""
    left, bottom, top = 30, 36, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max((b.count for b in bins), default=0) or 1
    bar_w = plot_w / max(len(bins), 1)
    bars = []
    for i, b in enumerate(bins):
        h = plot_h * b.count / peak
        x = left + i * bar_w
        y = top + plot_h - h
        bars.append(
            (
                f"{x + 1:.1f}",
                f"{y:.1f}",
                f"{max(bar_w - 2, 1):.1f}",
                f"{h:.1f}",
                f"{x + bar_w / 2:.1f}",
                f"{y - 3:.1f}",
                b.count,
                f"{top + plot_h + 14:.1f}",
                f"{b.low:g}",
                f"{b.high:g}",
                ngettext("%(count)d student", "%(count)d students", b.count) % {"count": b.count},
            )
        )
    body = format_html_join(
        "",
        '<g><rect x="{}" y="{}" width="{}" height="{}" fill="#2b6cb0">'
        "<title>{}</title></rect>"
        '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="10">{}–{}</text></g>',
        (
            (x, y, w, h, title, cx, ty, count, cx, ly, low, high)
            for (x, y, w, h, cx, ty, count, ly, low, high, title) in bars
        ),
    )
    return format_html(
        '<svg class="score-histogram" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>{}'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>'
        "</svg>",
        width,
        height,
        width,
        height,
        gettext("Score distribution"),
        left,
        top + plot_h,
        left + plot_w,
        top + plot_h,
        body,
        left + plot_w / 2,
        height - 4,
        gettext("best score per student"),
    )
