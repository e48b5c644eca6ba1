"""Courses run by instructors: sections, enrolments with a role, assignments over coding
exercises and fixed exams, per-student extensions, and the gradebook's corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    code = models.SlugField(
        _("course code"), max_length=64, unique=True, help_text=_("Short code, e.g. dl-2026")
    )
    description = models.TextField(_("description"), blank=True)
    join_code = models.CharField(
        _("join code"),
        max_length=16,
        unique=True,
        help_text=_("Students enter this code to join the course"),
    )
    join_enabled = models.BooleanField(_("joining with the code is open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="sections", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="section_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("instructor")
        TA = "ta", _("teaching assistant")
        STUDENT = "student", _("student")

    class Source(models.TextChoices):
        CREATED = "created", _("course creator")
        JOIN_CODE = "join_code", _("join code")
        ROSTER = "roster", _("roster import")
        MANUAL = "manual", _("added by staff")
        LMS = "lms", _("learning management system")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("course")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="course_enrollments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("section"),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    created_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    class Meta:
        ordering = ["course", "role", "user__username"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="enrollment_unique_user")
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) @ {self.course_id}"


class Assignment(models.Model):
    class LatePolicy(models.TextChoices):
        NONE_AFTER_DUE = "none", _("no credit after the due date")
        PENALTY = "penalty", _("penalty per day late")

    class ScorePolicy(models.TextChoices):
        BEST = "best", _("best submission")
        LAST = "last", _("last submission")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    max_attempts = models.PositiveIntegerField(
        _("attempt limit"), default=0, help_text=_("Submissions per item and student; 0: no limit")
    )
    late_policy = models.CharField(
        _("late policy"), max_length=16, choices=LatePolicy.choices, default=LatePolicy.PENALTY
    )
    late_penalty_percent = models.FloatField(
        _("late penalty (% per day)"),
        default=10.0,
        help_text=_("Percent of the score taken off per started day after the due date"),
    )
    score_policy = models.CharField(
        _("submission that counts"),
        max_length=8,
        choices=ScorePolicy.choices,
        default=ScorePolicy.BEST,
    )
    exam_mode = models.BooleanField(
        _("exam mode"),
        default=False,
        help_text=_("Scores and hidden-test results stay hidden from students until released"),
    )
    results_released_at = models.DateTimeField(_("results released at"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.title


class AssignmentItem(models.Model):
    """One graded column of an assignment: a coding exercise or a fixed exam."""

    class ExamVariants(models.TextChoices):
        SAME = "same", _("same questions and numbers for everyone")
        PER_STUDENT = "per_student", _("parameterised variants per student")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="items", verbose_name=_("assignment")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    exercise = models.ForeignKey(
        "coding.Exercise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignment_items",
        verbose_name=_("coding exercise"),
    )
    exam = models.ForeignKey(
        "quiz.Exam",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignment_items",
        verbose_name=_("exam"),
    )
    exam_variants = models.CharField(
        _("exam variants"), max_length=16, choices=ExamVariants.choices, default=ExamVariants.SAME
    )
    # Base of the reproducible seeds: the same seed (SAME) or one per student (PER_STUDENT).
    seed = models.BigIntegerField(_("seed"), default=0)
    points = models.FloatField(_("points"), default=10.0)

    class Meta:
        ordering = ["assignment", "position", "id"]
        verbose_name = _("assignment item")
        verbose_name_plural = _("assignment items")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(exercise__isnull=False, exam__isnull=True)
                    | models.Q(exercise__isnull=True, exam__isnull=False)
                ),
                name="assignmentitem_exercise_xor_exam",
            )
        ]

    def __str__(self) -> str:
        return str(self.exercise or self.exam)


class AssignmentSubmission(models.Model):
    """A coding submission made for an assignment item, with its lateness as of submission."""

    item = models.ForeignKey(
        AssignmentItem,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("assignment item"),
    )
    submission = models.OneToOneField(
        "coding.Submission",
        on_delete=models.CASCADE,
        related_name="assignment_link",
        verbose_name=_("submission"),
    )
    days_late = models.PositiveIntegerField(_("days late"), default=0)

    class Meta:
        ordering = ["-submission__created_at", "-id"]
        verbose_name = _("assignment submission")
        verbose_name_plural = _("assignment submissions")

    def __str__(self) -> str:
        return f"{self.item_id}: #{self.submission_id}"


class AssignmentAttempt(models.Model):
    """An exam attempt made for an assignment item, with its lateness as of its start."""

    item = models.ForeignKey(
        AssignmentItem,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("assignment item"),
    )
    attempt = models.OneToOneField(
        "quiz.ExamAttempt",
        on_delete=models.CASCADE,
        related_name="assignment_link",
        verbose_name=_("exam attempt"),
    )
    days_late = models.PositiveIntegerField(_("days late"), default=0)

    class Meta:
        ordering = ["-attempt__started_at", "-id"]
        verbose_name = _("assignment exam attempt")
        verbose_name_plural = _("assignment exam attempts")

    def __str__(self) -> str:
        return f"{self.item_id}: attempt {self.attempt_id}"


class Extension(models.Model):
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("assignment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignment_extensions",
        verbose_name=_("student"),
    )
    due_at = models.DateTimeField(_("extended due date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["assignment", "user__username"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="extension_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.due_at:%Y-%m-%d %H:%M}"


class GradeOverride(models.Model):
    """The score an instructor or TA set by hand for one student and item; it replaces the
    computed score, and its comment is shown to that student."""

    item = models.ForeignKey(
        AssignmentItem,
        on_delete=models.CASCADE,
        related_name="overrides",
        verbose_name=_("assignment item"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grade_overrides",
        verbose_name=_("student"),
    )
    score = models.FloatField(_("score"))
    comment = models.TextField(_("comment for the student"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["item", "user__username"]
        verbose_name = _("grade override")
        verbose_name_plural = _("grade overrides")
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="gradeoverride_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.score:g}"


class GradeHistory(models.Model):
    """Every earlier score of a student on an item: overrides set or removed and the scores of
    submissions before they were regraded."""

    class Reason(models.TextChoices):
        OVERRIDE = "override", _("override set")
        OVERRIDE_REMOVED = "override_removed", _("override removed")
        REGRADE = "regrade", _("regraded")

    item = models.ForeignKey(
        AssignmentItem,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("assignment item"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grade_history",
        verbose_name=_("student"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    submission = models.ForeignKey(
        "coding.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submission"),
    )
    old_score = models.FloatField(_("old score"), null=True, blank=True)
    new_score = models.FloatField(_("new score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("grade history entry")
        verbose_name_plural = _("grade history")
        indexes = [models.Index(fields=["item", "user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.old_score} → {self.new_score}"
