from datetime import timedelta

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from dlquiz.content.rendering import markdown_render

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Markdown with math, sanitised by content's renderer (nh3), so safe to mark as such."""
    return mark_safe(markdown_render(text or ""))


@register.filter
def contains(values, value) -> bool:
    return isinstance(values, list) and value in values


@register.filter
def interval_short(interval: timedelta) -> str:
    """A review interval as Anki shows it on its buttons: ``<1 min``, ``10 min``, ``3 h``,
    ``4 d``, ``2 mo``, ``1.5 y`` (in the page's language)."""
    seconds = max(0.0, interval.total_seconds())
    minutes = seconds / 60
    if minutes < 1:
        return gettext("<1 min")
    if minutes < 60:
        return gettext("%(n)d min") % {"n": round(minutes)}
    hours = minutes / 60
    if hours < 24:
        return gettext("%(n)d h") % {"n": round(hours)}
    days = hours / 24
    if days < 30:
        return gettext("%(n)d d") % {"n": round(days)}
    if days < 365:
        return gettext("%(n)s mo") % {"n": f"{days / 30:.1f}".removesuffix(".0")}
    return gettext("%(n)s y") % {"n": f"{days / 365:.1f}".removesuffix(".0")}
