from django import template
from django.utils.safestring import mark_safe

from dlquiz.content.rendering import markdown_render

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Markdown with math, sanitised by content's renderer (nh3), so safe to mark as such."""
    return mark_safe(markdown_render(text or ""))


@register.filter
def contains(values, value) -> bool:
    return isinstance(values, list) and value in values
