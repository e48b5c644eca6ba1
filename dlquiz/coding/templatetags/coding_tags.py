"""Human labels for the machine-readable submission and test codes.

Pages always show the code itself (clients and scripts look for it); the label is added next to
it only where the active language words it differently from the code."""

from datetime import UTC, datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop

from dlquiz.coding.labels import CODE_LABELS

register = template.Library()


@register.filter
def code_label(code: str) -> str:
    """The label of a status or verdict code in the active language, or "" where it would
    only repeat the code (English, or a code without a label)."""
    msgid = CODE_LABELS.get(code)
    if msgid is None:
        return ""
    label = gettext(msgid)
    return "" if label == msgid else label


@register.simple_tag
def local_time(value: datetime | None, seconds: bool = False) -> str:
    """A <time> in UTC, labelled so; coding/localtime.js rewrites it in the reader's own time
    zone and names the zone, so nobody reads UTC as local time."""
    if value is None:
        return ""
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return format_html(
        '<time class="local-time" datetime="{}" data-seconds="{}">{} UTC</time>',
        utc.isoformat(),
        "1" if seconds else "0",
        text,
    )


DIFFICULTY_LABELS = {
    "easy": gettext_noop("easy"),
    "medium": gettext_noop("medium"),
    "hard": gettext_noop("hard"),
}


@register.filter
def difficulty_label(code: str) -> str:
    msgid = DIFFICULTY_LABELS.get(code)
    return gettext(msgid) if msgid else code
