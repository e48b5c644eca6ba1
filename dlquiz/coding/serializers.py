"""Request parsing and response shapes of the coding API (CONTRACT §2). No logic lives here: the
response serializers render payloads that selectors built."""

from __future__ import annotations

from rest_framework import serializers

from dlquiz.coding.models import Submission
from grader.status import TEST_STATUSES, VERDICTS

FRAMEWORKS = ("torch", "numpy", "python")


class StrictCharField(serializers.CharField):
    """A string and nothing else: DRF's CharField would turn 123 or true into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SubmissionCreateSerializer(serializers.Serializer):
    exercise = StrictCharField(max_length=64, help_text="Exercise slug, e.g. `softmax`.")
    framework = serializers.ChoiceField(choices=FRAMEWORKS)
    code = StrictCharField(
        trim_whitespace=False,
        help_text="Python source defining the entry point; at most 64 KiB of UTF-8, no NUL.",
    )


class SampleSerializer(serializers.Serializer):
    name = serializers.CharField()
    call = serializers.CharField(help_text="The call, e.g. `softmax(x, dim=-1)` with x shown.")
    expected = serializers.CharField(help_text="The expected result, as text.")


class ExerciseListItemSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    max_score = serializers.FloatField()
    frameworks = serializers.ListField(
        child=serializers.CharField(), help_text="Some of `torch`, `numpy`, `python`."
    )
    due_at = serializers.DateTimeField(allow_null=True)


class ExerciseDetailSerializer(ExerciseListItemSerializer):
    statement = serializers.CharField(help_text="Markdown, with $…$ math.")
    starter_code = serializers.DictField(
        child=serializers.CharField(), help_text="Framework → starter source."
    )
    samples = SampleSerializer(many=True, help_text="The visible sample tests.")


MESSAGE_CODE_HELP = (
    "The message as a code of the grader's message table (`check.shape`, `sandbox.time_limit`, "
    "`raised.line`, …; `text` for text no format covers), empty when there is no message. With "
    "`message_params` it renders the message in another language; `message` stays English "
    "(additive to CONTRACT §2)."
)
MESSAGE_PARAMS_HELP = (
    "The message's parameters: strings or numbers (names, shapes, indices, numbers), a nested "
    'message as {"code", "params"}, or a list of such.'
)


class ArrayComparisonSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="`result`, or the part's name (`h_next`, `dw1`, …).")
    shape = serializers.ListField(child=serializers.IntegerField())
    size = serializers.IntegerField()
    differ = serializers.IntegerField(help_text="Elements outside the tolerance, in all.")
    first = serializers.ListField(
        child=serializers.IntegerField(), help_text="Index of the first element that differs."
    )
    worst = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Index of the largest error relative to the tolerance.",
    )
    slice = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Leading indices of the 2-D slice shown (rank above 2: the first slice with an "
        "element that differs); empty otherwise.",
    )
    rows = serializers.IntegerField(help_text="Rows of the part shown (1 for a 1-D array).")
    cols = serializers.IntegerField()
    expected = serializers.ListField(
        child=serializers.JSONField(),
        allow_null=True,
        help_text="The shown part's expected values, row-major: numbers, booleans, or "
        '"nan", "inf", "-inf"; null when the part is too large to show (over 4096 elements).',
    )
    got = serializers.ListField(
        child=serializers.JSONField(),
        allow_null=True,
        help_text="What the code returned there, as `expected`.",
    )
    levels = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=4),
        allow_null=True,
        help_text="Per element shown: 0 within the tolerance, 1 up to 10x it, 2 up to 100x, "
        "3 beyond (or any difference where the comparison is exact), 4 NaN or ±inf where the "
        "expected value differs.",
    )
    shown_worst = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="[row, column] of the largest error in the part shown; empty when none.",
    )
    rtol = serializers.FloatField()
    atol = serializers.FloatField()


class TestResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    hidden = serializers.BooleanField()
    status = serializers.ChoiceField(choices=TEST_STATUSES)
    score = serializers.FloatField()
    max_score = serializers.FloatField()
    time_ms = serializers.FloatField(
        allow_null=True,
        help_text="Null for a hidden test unless the caller is an instructor; a hidden "
        "performance test's message gives its time relative to the limit instead.",
    )
    message = serializers.CharField(
        allow_blank=True,
        help_text="Empty for a hidden test unless the caller is an instructor (for a hidden "
        "performance test: its time relative to the limit).",
    )
    message_code = serializers.CharField(allow_blank=True, help_text=MESSAGE_CODE_HELP)
    message_params = serializers.DictField(help_text=MESSAGE_PARAMS_HELP)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Python warnings the test's call raised (`RuntimeWarning: overflow encountered "
        "in exp (line 5)`), at most 10. For a hidden test a student gets only numpy's "
        "floating-point warnings (additive to CONTRACT §2).",
    )
    arrays = ArrayComparisonSerializer(
        many=True,
        help_text="For a visible (sample) test that failed on an array: the array beside the "
        "expected one and where they differ; empty for every hidden test (additive to CONTRACT "
        "§2).",
    )


class DiagnosisSerializer(serializers.Serializer):
    mistake = serializers.CharField(help_text="The typical mistake's name.")
    message = serializers.CharField(help_text="What it is, in the request's language.")


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise = serializers.SlugField()
    framework = serializers.ChoiceField(choices=FRAMEWORKS)
    kind = serializers.ChoiceField(
        choices=Submission.Kind.values, help_text="`samples` for a Run samples run."
    )
    status = serializers.ChoiceField(choices=Submission.Status.values)
    verdict = serializers.ChoiceField(
        choices=VERDICTS,
        allow_null=True,
        help_text="`accepted`, the status of the first test that did not pass, or "
        "`compile_error`; null until graded.",
    )
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    message = serializers.CharField(
        allow_blank=True, help_text="Compile error, or why the infrastructure gave up."
    )
    message_code = serializers.CharField(allow_blank=True, help_text=MESSAGE_CODE_HELP)
    message_params = serializers.DictField(help_text=MESSAGE_PARAMS_HELP)
    stdout = serializers.CharField(allow_blank=True)
    stderr = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)
    tests = TestResultSerializer(many=True)
    diagnosis = DiagnosisSerializer(
        allow_null=True,
        required=False,
        help_text="When the failing outputs match a known typical mistake: which one (additive "
        "to CONTRACT §2; null otherwise).",
    )
    withheld = serializers.BooleanField(
        required=False,
        help_text="True while the submission's exam-mode assignment withholds its results: "
        "`verdict`, `score`, `message` and `diagnosis` are null or empty and only the visible "
        "(sample) tests are listed, until the instructor releases them (additive to CONTRACT "
        "§2).",
    )


class SubmissionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise = serializers.SlugField(source="exercise.slug")
    framework = serializers.CharField()
    status = serializers.CharField()
    verdict = serializers.SerializerMethodField()
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    created_at = serializers.DateTimeField()
    withheld = serializers.BooleanField(
        help_text="Exam mode before the release: `verdict` and `score` are null."
    )

    def get_verdict(self, submission) -> str | None:
        return submission.verdict or None
