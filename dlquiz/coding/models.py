from django.conf import settings
from django.db import models


class Exercise(models.Model):
    """A coding exercise, synced from `exercises/` by load_content; instructors own the rest."""

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    statement = models.TextField(help_text="Markdown, Chinese")
    statement_en = models.TextField(blank=True, help_text="Markdown, English")
    frameworks = models.JSONField(default=list)
    starter_code = models.JSONField(default=dict)
    samples = models.JSONField(default=list, help_text="Visible sample tests, as shown to students")
    max_score = models.FloatField(default=10)
    is_published = models.BooleanField(default=True)
    due_at = models.DateTimeField(null=True, blank=True)
    time_limit_multiplier = models.FloatField(
        default=1.0, help_text="Scales every time limit and the allowed slowdown"
    )
    position = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        GRADED = "graded"
        FAILED = "failed"

    class Kind(models.TextChoices):
        SUBMISSION = "submission"
        # "Run samples": graded on the visible tests only, never counted as a submission.
        SAMPLES = "samples"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="submissions")
    framework = models.CharField(max_length=16)
    code = models.TextField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SUBMISSION)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    verdict = models.CharField(max_length=32, blank=True, default="")
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    message = models.TextField(
        blank=True, default="", help_text="compile error or infrastructure message"
    )
    stdout = models.TextField(blank=True, default="")
    stderr = models.TextField(blank=True, default="")
    # Deliveries of the grading task; Redis cannot tell a redelivery apart, so it is counted here.
    attempts = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=128, blank=True, default="")
    worker = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
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
        return f"#{self.pk} {self.exercise_id} {self.status}"


class GradedTest(models.Model):
    """One test of one grading; replaced as a whole when a submission is graded again."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="tests")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    hidden = models.BooleanField(default=False)
    status = models.CharField(max_length=32)
    score = models.FloatField(default=0)
    max_score = models.FloatField(default=0)
    time_ms = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "position"], name="gradedtest_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}:{self.position} {self.status}"


class RegradeJob(models.Model):
    """A batch of submissions put back in the queue by an instructor; progress is read from the
    submissions themselves, so the grading task needs to know nothing about jobs."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, null=True, blank=True, related_name="regrade_jobs"
    )
    description = models.CharField(max_length=200)
    submissions = models.ManyToManyField(Submission, related_name="regrade_jobs")
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"regrade #{self.pk}: {self.description}"
