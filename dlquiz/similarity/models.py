from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dlquiz.coding.models import Exercise, Submission


class SimilarityRun(models.Model):
    """One similarity check of an exercise's final submissions; the task fills in progress and
    pairs, the run page reads them. A check runs over one course's students (or the work
    handed in for one of its assignments) and only that course's staff see it; a check over
    every student is for superusers."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.CASCADE,
        related_name="similarity_runs",
        verbose_name=_("exercise"),
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="similarity_runs",
        verbose_name=_("course"),
        help_text=_("Only this course's students are compared; empty: every student."),
    )
    assignment = models.ForeignKey(
        "courses.Assignment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="similarity_runs",
        verbose_name=_("assignment"),
        help_text=_("Only the work handed in for this assignment is compared."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    low_signal = models.BooleanField(
        _("low signal"),
        default=False,
        help_text=_("Short answers to a small question look alike without being copied."),
    )
    submissions_count = models.PositiveIntegerField(_("submissions compared"), default=0)
    pairs_total = models.PositiveIntegerField(_("pairs to compare"), default=0)
    pairs_done = models.PositiveIntegerField(_("pairs compared"), default=0)
    message = models.TextField(_("message"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("similarity check")
        verbose_name_plural = _("similarity checks")

    def __str__(self) -> str:
        return f"#{self.pk} {self.exercise_id} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.pairs_total:
            return 0
        return min(100, int(100 * self.pairs_done / self.pairs_total))


class SimilarityPair(models.Model):
    """Two students' final submissions and the passages they share (character offsets into each
    code, starter code already left out)."""

    run = models.ForeignKey(
        SimilarityRun, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("check")
    )
    submission_a = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="+", verbose_name=_("submission A")
    )
    submission_b = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="+", verbose_name=_("submission B")
    )
    score = models.FloatField(_("similarity"))
    similarity_a = models.FloatField(_("share of A found in B"))
    similarity_b = models.FloatField(_("share of B found in A"))
    token_overlap = models.PositiveIntegerField(_("shared tokens"))
    slices_a = models.JSONField(_("shared passages in A"), default=list)
    slices_b = models.JSONField(_("shared passages in B"), default=list)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("similar pair")
        verbose_name_plural = _("similar pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "submission_a", "submission_b"], name="similaritypair_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_a_id}~{self.submission_b_id} {self.score:.2f}"
