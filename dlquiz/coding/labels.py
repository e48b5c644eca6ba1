"""Human labels of the machine-readable submission and test codes, in one place for the pages
(coding_tags) and the admin's choices. A leaf module: msgids are literals for makemessages and
are translated where they are shown."""

from django.utils.translation import gettext_noop

from grader.status import TestStatus, Verdict

# Every code has its label here (a test checks it).
CODE_LABELS = {
    # Submission status.
    "queued": gettext_noop("queued"),
    "running": gettext_noop("running"),
    "graded": gettext_noop("graded"),
    "failed": gettext_noop("grading failed"),
    # Verdicts and test statuses (CONTRACT §2).
    Verdict.ACCEPTED: gettext_noop("accepted"),
    Verdict.COMPILE_ERROR: gettext_noop("compile error"),
    TestStatus.PASSED: gettext_noop("passed"),
    TestStatus.WRONG_ANSWER: gettext_noop("wrong answer"),
    TestStatus.INVALID_OUTPUT: gettext_noop("invalid output"),
    TestStatus.RUNTIME_ERROR: gettext_noop("runtime error"),
    TestStatus.TIME_LIMIT_EXCEEDED: gettext_noop("time limit exceeded"),
    TestStatus.MEMORY_LIMIT_EXCEEDED: gettext_noop("memory limit exceeded"),
    TestStatus.OUTPUT_LIMIT_EXCEEDED: gettext_noop("output limit exceeded"),
    TestStatus.TOO_SLOW: gettext_noop("too slow"),
    TestStatus.FORBIDDEN_API: gettext_noop("forbidden API"),
    TestStatus.NOT_RUN: gettext_noop("not run"),
}
