"""Request parsing and response shapes of the coding API (CONTRACT §2). No logic lives here: the
response serializers render payloads that selectors built."""

from __future__ import annotations

from rest_framework import serializers

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


class TestResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    hidden = serializers.BooleanField()
    status = serializers.ChoiceField(
        choices=[
            "passed",
            "wrong_answer",
            "invalid_output",
            "runtime_error",
            "time_limit_exceeded",
            "memory_limit_exceeded",
            "output_limit_exceeded",
            "too_slow",
            "forbidden_api",
            "not_run",
        ]
    )
    score = serializers.FloatField()
    max_score = serializers.FloatField()
    time_ms = serializers.FloatField(allow_null=True)
    message = serializers.CharField(
        allow_blank=True, help_text="Empty for a hidden test unless the caller is an instructor."
    )


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise = serializers.SlugField()
    framework = serializers.ChoiceField(choices=FRAMEWORKS)
    kind = serializers.ChoiceField(
        choices=["submission", "samples"], help_text="`samples` for a Run samples run."
    )
    status = serializers.ChoiceField(choices=["queued", "running", "graded", "failed"])
    verdict = serializers.CharField(
        allow_null=True,
        help_text="`accepted`, the status of the first test that did not pass, or "
        "`compile_error`; null until graded.",
    )
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    message = serializers.CharField(
        allow_blank=True, help_text="Compile error, or why the infrastructure gave up."
    )
    stdout = serializers.CharField(allow_blank=True)
    stderr = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)
    tests = TestResultSerializer(many=True)


class SubmissionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise = serializers.SlugField(source="exercise.slug")
    framework = serializers.CharField()
    status = serializers.CharField()
    verdict = serializers.SerializerMethodField()
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    created_at = serializers.DateTimeField()

    def get_verdict(self, submission) -> str | None:
        return submission.verdict or None


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
