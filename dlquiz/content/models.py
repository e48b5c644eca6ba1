from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TopicQuerySet(models.QuerySet):
    def visible(self) -> "TopicQuerySet":
        return self.filter(is_hidden=False)


class Topic(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_hidden = models.BooleanField(_("hidden"), default=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("content:topic-detail", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        """The name in the active language (Chinese unless English is active)."""
        language = (get_language() or "zh-hans").lower()
        return self.name_en if language.startswith("en") else self.name_zh


class CardQuerySet(models.QuerySet):
    def visible(self) -> "CardQuerySet":
        """Cards a student may see: not hidden, not merged away, still in the notes, and in a
        visible topic."""
        return self.filter(
            is_hidden=False, is_retired=False, merged_into__isnull=True, topic__is_hidden=False
        )


class Card(models.Model):
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="cards", verbose_name=_("topic")
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer (Markdown)"), blank=True)
    answer_html = models.TextField(_("rendered answer"), blank=True, editable=False)
    heading_path = models.CharField(_("heading path"), max_length=500, blank=True)
    # The heading in the note the question was phrased from (generic ones with their parent).
    heading = models.CharField(_("heading"), max_length=500, blank=True)
    source_file = models.CharField(_("source file"), max_length=200, blank=True)
    note_title = models.CharField(_("note title"), max_length=200, blank=True)
    line_start = models.PositiveIntegerField(_("first line"), null=True, blank=True)
    line_end = models.PositiveIntegerField(_("last line"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position in the note"), default=0)
    # Stable identity across re-imports: note file + heading path + question, hashed.
    key = models.CharField(_("key"), max_length=120, unique=True)
    # Hash of what the note said at the last import; a changed note changes it.
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    edited_in_admin = models.BooleanField(
        _("edited in admin"),
        default=False,
        help_text=_("Re-imports leave this card's text and topic alone."),
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    is_retired = models.BooleanField(
        _("no longer in the notes"), default=False, help_text=_("Set by the importer.")
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cards",
        verbose_name=_("merged into"),
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related cards"))
    # Folded texts (see parsing.text_normalise) so that search ignores width, case and
    # punctuation.
    question_norm = models.TextField(blank=True, editable=False)
    answer_norm = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["source_file", "position", "id"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        indexes = [models.Index(fields=["topic", "source_file", "position"])]

    def __str__(self) -> str:
        return self.question[:80]

    def get_absolute_url(self) -> str:
        return reverse("content:card-detail", kwargs={"pk": self.pk})

    @property
    def note_label(self) -> str:
        """The note's own title (heading or front matter), or its file name without one."""
        return self.note_title or self.source_file

    @property
    def section(self) -> str:
        """Where in its note the card sits: note title › headings above the card."""
        parts = [self.note_label] if self.note_label else []
        parts += [p for p in self.heading_path.split(" › ") if p and p != self.note_title]
        return " › ".join(parts)

    @property
    def source(self) -> str:
        """``note file:first-last`` line range, or the file alone for hand-made cards."""
        if not self.source_file:
            return ""
        if self.line_start and self.line_end:
            return f"{self.source_file}:{self.line_start}-{self.line_end}"
        return self.source_file
