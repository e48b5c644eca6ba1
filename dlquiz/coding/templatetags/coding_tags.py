"""Human labels for the machine-readable submission and test codes.

Pages always show the code itself (clients and scripts look for it); the label is added next to
it only where the active language words it differently from the code."""

from django import template
from django.utils.translation import gettext, gettext_noop

register = template.Library()

CODE_LABELS = {
    # Submission status.
    "queued": gettext_noop("queued"),
    "running": gettext_noop("running"),
    "graded": gettext_noop("graded"),
    "failed": gettext_noop("grading failed"),
    # Verdicts and test statuses (CONTRACT §2).
    "accepted": gettext_noop("accepted"),
    "passed": gettext_noop("passed"),
    "compile_error": gettext_noop("compile error"),
    "wrong_answer": gettext_noop("wrong answer"),
    "invalid_output": gettext_noop("invalid output"),
    "runtime_error": gettext_noop("runtime error"),
    "time_limit_exceeded": gettext_noop("time limit exceeded"),
    "memory_limit_exceeded": gettext_noop("memory limit exceeded"),
    "output_limit_exceeded": gettext_noop("output limit exceeded"),
    "too_slow": gettext_noop("too slow"),
    "forbidden_api": gettext_noop("forbidden API"),
    "not_run": gettext_noop("not run"),
}


@register.filter
def code_label(code: str) -> str:
    """The label of a status or verdict code in the active language, or "" where it would
    only repeat the code (English, or a code without a label)."""
    msgid = CODE_LABELS.get(code)
    if msgid is None:
        return ""
    label = gettext(msgid)
    return "" if label == msgid else label
