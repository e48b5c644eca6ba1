from django.conf import settings
from django.db import models
from django.utils.translation import gettext
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
    key = models.SlugField(_("key"), max_length=120, unique=True)
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
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.ADMIN
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    edited_in_admin = models.BooleanField(
        _("edited in admin"),
        default=False,
        help_text=_("Re-imports leave this question alone while set."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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
    questions = models.ManyToManyField(
        Question, through="ExamQuestion", related_name="exams", verbose_name=_("questions")
    )
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=30)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "title"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")

    def __str__(self) -> str:
        return self.title


class ExamQuestion(models.Model):
    exam = models.ForeignKey(
        Exam, on_delete=models.CASCADE, related_name="exam_questions", verbose_name=_("exam")
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, verbose_name=_("question"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("exam question")
        verbose_name_plural = _("exam questions")
        constraints = [
            models.UniqueConstraint(fields=["exam", "question"], name="exam_question_unique")
        ]

    def __str__(self) -> str:
        return gettext("Question %(position)s of exam #%(exam)s") % {
            "position": self.position,
            "exam": self.exam_id,
        }


class ExamAttempt(models.Model):
    """One sitting of a practice exam (exam is null) or of a fixed exam."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        GRADED = "graded", _("graded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exam_attempts",
        verbose_name=_("user"),
    )
    exam = models.ForeignKey(
        Exam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("exam"),
    )
    topics = models.JSONField(_("topics"), default=list, blank=True)
    seed = models.BigIntegerField(_("seed"), default=0)
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    timed_out = models.BooleanField(_("timed out"), default=False)
    score = models.FloatField(_("score"), null=True, blank=True)
    max_score = models.FloatField(_("maximum score"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")

    def __str__(self) -> str:
        return gettext("Attempt #%(id)s") % {"id": self.pk}


class AttemptItem(models.Model):
    """One drawn question of an attempt. `expected` never leaves the server before grading."""

    attempt = models.ForeignKey(
        ExamAttempt, on_delete=models.CASCADE, related_name="items", verbose_name=_("attempt")
    )
    position = models.PositiveIntegerField(_("position"))
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="attempt_items",
        verbose_name=_("question"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Question.Kind.choices)
    prompt = models.TextField(_("prompt (Markdown)"))
    # Choices in the order shown to this student; `expected` indexes refer to this order.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    expected = models.JSONField(_("correct answer"), default=dict)
    explanation = models.TextField(_("explanation (Markdown)"), blank=True)
    answer = models.JSONField(_("student's answer"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    is_correct = models.BooleanField(_("correct"), null=True)

    class Meta:
        ordering = ["attempt", "position"]
        verbose_name = _("attempt question")
        verbose_name_plural = _("attempt questions")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_position")
        ]

    def __str__(self) -> str:
        return gettext("Question %(position)s of attempt #%(attempt)s") % {
            "position": self.position,
            "attempt": self.attempt_id,
        }


class ReviewState(models.Model):
    """A student's FSRS state for one card (fsrs.Card.to_dict(), plus `due` for querying)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_states",
        verbose_name=_("user"),
    )
    card = models.ForeignKey(
        "content.Card",
        on_delete=models.CASCADE,
        related_name="review_states",
        verbose_name=_("card"),
    )
    fsrs_card = models.JSONField(_("FSRS state"))
    due = models.DateTimeField(_("due"))
    introduced_at = models.DateTimeField(_("introduced at"))
    last_review = models.DateTimeField(_("last review"), null=True, blank=True)
    reps = models.PositiveIntegerField(_("reviews"), default=0)

    class Meta:
        verbose_name = _("review state")
        verbose_name_plural = _("review states")
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="review_state_user_card")
        ]
        indexes = [models.Index(fields=["user", "due"])]

    def __str__(self) -> str:
        return gettext("Card #%(card)s of user #%(user)s, due %(due)s") % {
            "card": self.card_id,
            "user": self.user_id,
            "due": f"{self.due:%Y-%m-%d %H:%M}",
        }


class ReviewLog(models.Model):
    class Source(models.TextChoices):
        REVIEW = "review", _("review")
        EXAM = "exam", _("wrong exam answer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_logs",
        verbose_name=_("user"),
    )
    card = models.ForeignKey(
        "content.Card",
        on_delete=models.CASCADE,
        related_name="review_logs",
        verbose_name=_("card"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.REVIEW
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))
    # The state before this log, so the last rating can be undone; null: the card was new.
    previous = models.JSONField(_("state before"), null=True, blank=True)
    previous_reps = models.PositiveIntegerField(_("reviews before"), default=0)
    was_new = models.BooleanField(_("new card"), default=False)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        verbose_name = _("review log entry")
        verbose_name_plural = _("review log")
        indexes = [models.Index(fields=["user", "reviewed_at"])]

    def __str__(self) -> str:
        return gettext("Card #%(card)s of user #%(user)s: %(source)s %(rating)s") % {
            "card": self.card_id,
            "user": self.user_id,
            "source": self.get_source_display(),
            "rating": self.rating if self.rating is not None else "",
        }


class ReviewSettings(models.Model):
    """A student's review preferences: FSRS desired retention and an optional exam date before
    which every card comes due."""

    DEFAULT_RETENTION = 0.9
    MIN_RETENTION = 0.7
    MAX_RETENTION = 0.97

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_settings"
    )
    desired_retention = models.FloatField(_("desired retention"), default=DEFAULT_RETENTION)
    exam_date = models.DateField(_("exam date"), null=True, blank=True)

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")

    def __str__(self) -> str:
        return f"{self.user_id}: retention {self.desired_retention}, exam {self.exam_date}"
