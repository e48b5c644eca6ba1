from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Question(models.Model):
    """An authored question (fixtures/questions) or a parameterised template (variants.py)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        NUMERIC = "numeric", _("numeric")
        SHORT = "short", _("short answer")

    class Source(models.TextChoices):
        FIXTURE = "fixture", _("fixture file")
        TEMPLATE = "template", _("generated template")
        ADMIN = "admin", _("written in the admin")

    # Stable identity across re-imports.
    key = models.SlugField(max_length=120, unique=True)
    topic = models.ForeignKey(
        "content.Topic", on_delete=models.PROTECT, related_name="questions", verbose_name=_("topic")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    prompt = models.TextField(_("prompt (Markdown)"))
    choices = models.JSONField(_("choices"), default=list, blank=True)
    answer = models.JSONField(
        _("correct answer"),
        default=dict,
        blank=True,
        help_text=_(
            'single: {"choice": 1}; multiple: {"choices": [0, 2]}; numeric: {"value": 55, '
            '"tolerance": 0}; short: {"accept": ["…"], "patterns": ["regex"]}'
        ),
    )
    explanation = models.TextField(_("explanation (Markdown)"), blank=True)
    cards = models.ManyToManyField(
        "content.Card", blank=True, related_name="quiz_questions", verbose_name=_("cards")
    )
    card_snippets = models.JSONField(
        _("card references"),
        default=list,
        blank=True,
        help_text=_("Card question snippets from the fixture, resolved to cards at import."),
    )
    template = models.CharField(
        _("template"), max_length=64, blank=True, help_text=_("Key of a parameterised template")
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ADMIN)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    edited_in_admin = models.BooleanField(
        _("edited in admin"),
        default=False,
        help_text=_("Re-imports leave this question alone while set."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic__position", "key"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.key


class Exam(models.Model):
    """A fixed exam defined by an instructor: a question list, a time limit and a window."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    questions = models.ManyToManyField(Question, through="ExamQuestion", related_name="exams")
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=30)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "title"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")

    def __str__(self) -> str:
        return self.title


class ExamQuestion(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="exam_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "question"], name="exam_question_unique")
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}#{self.position}: {self.question_id}"


class ExamAttempt(models.Model):
    """One sitting of a practice exam (exam is null) or of a fixed exam."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        GRADED = "graded", _("graded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts"
    )
    exam = models.ForeignKey(
        Exam, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts"
    )
    topics = models.JSONField(default=list, blank=True)
    seed = models.BigIntegerField(default=0)
    time_limit_minutes = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")

    def __str__(self) -> str:
        return f"attempt {self.pk} by {self.user_id}"


class AttemptItem(models.Model):
    """One drawn question of an attempt. `expected` never leaves the server before grading."""

    attempt = models.ForeignKey(ExamAttempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    kind = models.CharField(max_length=16, choices=Question.Kind.choices)
    prompt = models.TextField()
    # Choices in the order shown to this student; `expected` indexes refer to this order.
    choices = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=dict, blank=True)
    expected = models.JSONField(default=dict)
    explanation = models.TextField(blank=True)
    answer = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_position")
        ]

    def __str__(self) -> str:
        return f"attempt {self.attempt_id} #{self.position}"


class ReviewState(models.Model):
    """A student's FSRS state for one card (fsrs.Card.to_dict(), plus `due` for querying)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_states"
    )
    card = models.ForeignKey("content.Card", on_delete=models.CASCADE, related_name="review_states")
    fsrs_card = models.JSONField()
    due = models.DateTimeField()
    introduced_at = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="review_state_user_card")
        ]
        indexes = [models.Index(fields=["user", "due"])]

    def __str__(self) -> str:
        return f"{self.user_id}: card {self.card_id} due {self.due:%Y-%m-%d %H:%M}"


class ReviewLog(models.Model):
    class Source(models.TextChoices):
        REVIEW = "review", _("review")
        EXAM = "exam", _("wrong exam answer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs"
    )
    card = models.ForeignKey("content.Card", on_delete=models.CASCADE, related_name="review_logs")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.REVIEW)
    reviewed_at = models.DateTimeField()
    # The state before this log, so the last rating can be undone; null: the card was new.
    previous = models.JSONField(null=True, blank=True)
    previous_reps = models.PositiveIntegerField(default=0)
    was_new = models.BooleanField(default=False)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["user", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: card {self.card_id} {self.source} {self.rating}"
