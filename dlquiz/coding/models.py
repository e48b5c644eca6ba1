from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dlquiz.coding.labels import CODE_LABELS
from grader.status import TEST_STATUSES, VERDICTS


def code_choices(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Choices of status or verdict codes, labelled in the active language."""
    return [(code, _(CODE_LABELS[code])) for code in codes]


class Exercise(models.Model):
    """A coding exercise, synced from `exercises/` by load_content; instructors own the rest."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    statement = models.TextField(_("statement (Chinese)"), help_text=_("Markdown, with $…$ math."))
    statement_en = models.TextField(
        _("statement (English)"), blank=True, help_text=_("Markdown, with $…$ math.")
    )
    frameworks = models.JSONField(_("frameworks"), default=list)
    starter_code = models.JSONField(
        _("starter code"),
        default=dict,
        help_text=_("The code a student starts from, per framework."),
    )
    samples = models.JSONField(
        _("visible samples"),
        default=list,
        help_text=_("Sample tests as shown to students: a call and its expected result."),
    )
    max_score = models.FloatField(_("maximum score"), default=10)
    is_published = models.BooleanField(_("published"), default=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    time_limit_multiplier = models.FloatField(
        _("time limit multiplier"),
        default=1.0,
        help_text=_("Scales every time limit and the allowed slowdown."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # Declared by the exercise package; shown as tags in the list.
    difficulty = models.CharField(_("difficulty"), max_length=16, blank=True, default="")
    topic = models.CharField(_("topic"), max_length=64, blank=True, default="")
    # The note cards the exercise comes from, resolved from the package's card questions.
    cards = models.ManyToManyField(
        "content.Card", blank=True, related_name="exercises", verbose_name=_("cards")
    )
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")

    def __str__(self) -> str:
        return self.slug


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _(CODE_LABELS["queued"])
        RUNNING = "running", _(CODE_LABELS["running"])
        GRADED = "graded", _(CODE_LABELS["graded"])
        FAILED = "failed", _(CODE_LABELS["failed"])

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("submission")
        # "Run samples": graded on the visible tests only, never counted as a submission.
        SAMPLES = "samples", _("sample run")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("user"),
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("exercise")
    )
    framework = models.CharField(_("framework"), max_length=16)
    code = models.TextField(_("code"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SUBMISSION)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    verdict = models.CharField(
        _("verdict"), max_length=32, blank=True, default="", choices=code_choices(VERDICTS)
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    max_score = models.FloatField(_("maximum score"), default=0)
    message = models.TextField(
        _("message"),
        blank=True,
        default="",
        help_text=_("A compile error or an infrastructure message."),
    )
    stdout = models.TextField(_("standard output"), blank=True, default="")
    stderr = models.TextField(_("standard error"), blank=True, default="")
    # A shipped typical mistake the failing outputs match: {"mistake", "en", "zh"}, or null.
    diagnosis = models.JSONField(_("diagnosis"), null=True, blank=True, default=None)
    # Deliveries of the grading task; Redis cannot tell a redelivery apart, so it is counted here.
    attempts = models.PositiveIntegerField(_("grading deliveries"), default=0)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, blank=True, default="")
    worker = models.CharField(_("worker"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [
            models.Index(fields=["user", "exercise", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="submission_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return gettext("Submission #%(id)s") % {"id": self.pk}


class GradedTest(models.Model):
    """One test of one grading; replaced as a whole when a submission is graded again."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="tests", verbose_name=_("submission")
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    hidden = models.BooleanField(_("hidden"), default=False)
    status = models.CharField(_("status"), max_length=32, choices=code_choices(TEST_STATUSES))
    score = models.FloatField(_("score"), default=0)
    max_score = models.FloatField(_("maximum score"), default=0)
    time_ms = models.FloatField(_("time (ms)"), null=True, blank=True)
    # The time a performance test allows, measured with the grade: students see a hidden
    # test's time only relative to it (an exact time could spell out hidden inputs).
    time_limit_ms = models.FloatField(_("time limit (ms)"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True, default="")
    # The message as a grader.messages code and its parameters, shown in the page's language.
    message_data = models.JSONField(
        _("message code and parameters"), null=True, blank=True, default=None
    )
    # Python warnings the test's call raised: text of the student's code, capped by the grader.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # A failing visible test's arrays beside the expected ones (grader.values), bounded there;
    # never a hidden test's.
    arrays = models.JSONField(_("arrays"), default=list, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("graded test")
        verbose_name_plural = _("graded tests")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "position"], name="gradedtest_unique_position"
            )
        ]

    def __str__(self) -> str:
        return gettext("Test %(position)s of submission #%(id)s") % {
            "position": self.position,
            "id": self.submission_id,
        }


class ExerciseHint(models.Model):
    """A hint an instructor writes for an exercise; a student sees hint n after n failed graded
    submissions (hints are the course's, not the package's, so they live here)."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="hints", verbose_name=_("exercise")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("hint (Chinese)"), help_text=_("Markdown, with $…$ math."))
    text_en = models.TextField(
        _("hint (English)"), blank=True, help_text=_("Markdown, with $…$ math.")
    )

    class Meta:
        ordering = ["exercise", "position", "id"]
        verbose_name = _("hint")
        verbose_name_plural = _("hints")

    def __str__(self) -> str:
        return gettext("Hint %(position)s") % {"position": self.position}


class RegradeJob(models.Model):
    """A batch of submissions put back in the queue by an instructor; progress is read from the
    submissions themselves, so the grading task needs to know nothing about jobs."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="regrade_jobs",
        verbose_name=_("exercise"),
    )
    description = models.CharField(_("description"), max_length=200)
    submissions = models.ManyToManyField(
        Submission, related_name="regrade_jobs", verbose_name=_("submissions")
    )
    total = models.PositiveIntegerField(_("submissions to regrade"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("regrade job")
        verbose_name_plural = _("regrade jobs")

    def __str__(self) -> str:
        return gettext("Regrade #%(id)s: %(description)s") % {
            "id": self.pk,
            "description": self.description,
        }
