from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dlquiz.content.rendering import markdown_render
from dlquiz.core.widgets import PLAIN_TEXT_OVERRIDES, Column, RowsField
from dlquiz.courses.admin import LearnerScopedMixin
from dlquiz.quiz.grading import expected_describe
from dlquiz.quiz.models import (
    AttemptItem,
    Exam,
    ExamAttempt,
    ExamQuestion,
    Question,
    ReviewLog,
    ReviewState,
)
from dlquiz.quiz.selectors import (
    QuestionStats,
    question_stats_all,
    question_stats_order_parse,
    question_stats_rows,
)
from dlquiz.quiz.variants import TEMPLATES, variant_generate

NO_STATS = QuestionStats(answers=0, share_correct=None, discrimination=None, point_biserial=None)
CHOICE_KINDS = (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
CHOICE_COLUMNS = (
    Column("text", _("choice"), kind="textarea"),
    Column("correct", _("correct"), kind="checkbox"),
)
# Question text in the statistics table: this many characters, the rest behind "more".
PROMPT_SHORT = 80


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def correct_choices(*, kind: str | None, answer: object) -> list[int]:
    """The indexes the stored answer marks correct, in its own order."""
    if not isinstance(answer, dict):
        return []
    if kind == Question.Kind.SINGLE:
        choice = answer.get("choice")
        return [choice] if isinstance(choice, int) else []
    if kind == Question.Kind.MULTIPLE:
        return [c for c in answer.get("choices") or [] if isinstance(c, int)]
    return []


class QuestionAdminForm(forms.ModelForm):
    """Choices as rows with a "correct" box instead of JSON. For single and multiple choice the
    answer is set from the boxes, keeping the stored shape ({"choice": i} / {"choices": [...]});
    numeric and short answers stay JSON. Saved unchanged, every stored value stays the same."""

    choices = RowsField(
        label=_("choices"),
        columns=CHOICE_COLUMNS,
        add_label=_("Add a choice"),
        required=False,
        help_text=_("For single and multiple choice: one row per choice, the correct ones ticked."),
    )

    class Meta:
        model = Question
        fields = (
            "key",
            "topic",
            "kind",
            "is_active",
            "edited_in_admin",
            "prompt",
            "choices",
            "answer",
            "explanation",
            "cards",
        )
        help_texts = {
            "answer": _(
                'Numeric: {"value": 55, "tolerance": 0}; short answer: {"accept": ["…"], '
                '"patterns": ["regex"]}. For single and multiple choice it is set from the '
                "ticked choices."
            )
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        texts = self.initial.get("choices") or []
        correct = correct_choices(kind=self.initial.get("kind"), answer=self.initial.get("answer"))
        self.initial["choices"] = [
            {"text": text, "correct": index in correct} for index, text in enumerate(texts)
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        rows = cleaned.get("choices")
        kind = cleaned.get("kind")
        if rows is None or kind is None or self.instance.template:
            # A template question draws its choices and answer anew for every attempt.
            return cleaned
        ticked = [index for index, row in enumerate(rows) if row["correct"]]
        answer = cleaned.get("answer")
        answer = dict(answer) if isinstance(answer, dict) else {}
        if kind in CHOICE_KINDS:
            if len(rows) < 2:
                self.add_error("choices", gettext("A choice question needs at least two choices."))
            if kind == Question.Kind.SINGLE:
                if len(ticked) != 1:
                    self.add_error(
                        "choices",
                        gettext("Tick exactly one correct choice for a single-choice question."),
                    )
                else:
                    answer.pop("choices", None)
                    answer["choice"] = ticked[0]
            else:
                if not ticked:
                    self.add_error("choices", gettext("Tick at least one correct choice."))
                else:
                    before = correct_choices(kind=kind, answer=answer)
                    answer.pop("choice", None)
                    answer["choices"] = before if sorted(before) == ticked else ticked
            cleaned["answer"] = answer
        elif ticked:
            self.add_error(
                "choices",
                gettext("Only single and multiple choice questions have correct choices."),
            )
        cleaned["choices"] = [row["text"] for row in rows]
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    formfield_overrides = PLAIN_TEXT_OVERRIDES
    list_display = [
        "key",
        "prompt_short",
        "topic",
        "kind",
        "source",
        "is_active",
        "edited_in_admin",
        "answers",
        "share_correct",
        "discrimination",
    ]
    list_filter = ["topic", "kind", "source", "is_active", "edited_in_admin"]
    search_fields = ["key", "prompt", "explanation"]
    autocomplete_fields = ["cards"]
    readonly_fields = ["preview", "statistics", "source", "template", "card_snippets", "created_at"]
    change_list_template = "admin/quiz/question/change_list.html"
    fieldsets = [
        (None, {"fields": ["key", "topic", "kind", "is_active", "edited_in_admin"]}),
        (_("Content"), {"fields": ["prompt", "choices", "answer", "explanation", "cards"]}),
        (_("Preview and statistics"), {"fields": ["preview", "statistics"]}),
        (_("Origin"), {"fields": ["source", "template", "card_snippets", "created_at"]}),
    ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # One pass over graded answers for the whole page instead of one per row.
        request.quiz_stats = question_stats_all()
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request: HttpRequest):
        self._request = request
        return super().get_queryset(request).select_related("topic")

    def _stats(self, obj: Question) -> QuestionStats:
        stats = getattr(getattr(self, "_request", None), "quiz_stats", None)
        if stats is None:
            stats = question_stats_all()
        return stats.get(obj.pk, NO_STATS)

    @admin.display(description=_("question"))
    def prompt_short(self, obj: Question) -> str:
        return format_html(
            '<span title="{}">{}</span>',
            obj.prompt,
            Truncator(obj.prompt).chars(PROMPT_SHORT),
        )

    @admin.display(description=_("answers"))
    def answers(self, obj: Question) -> int:
        return self._stats(obj).answers

    @admin.display(description=_("share correct"))
    def share_correct(self, obj: Question) -> str:
        return _pct(self._stats(obj).share_correct)

    @admin.display(description=_("discrimination (upper−lower 27%)"))
    def discrimination(self, obj: Question) -> str:
        return _num(self._stats(obj).discrimination)

    @admin.display(description=_("statistics"))
    def statistics(self, obj: Question) -> str:
        if obj.pk is None:
            return "—"
        s = self._stats(obj)
        return format_html(
            "{}: {} · {}: {} · {}: {} · {}: {}",
            gettext("answers"),
            s.answers,
            gettext("share correct"),
            _pct(s.share_correct),
            gettext("discrimination (upper−lower 27%)"),
            _num(s.discrimination),
            gettext("point-biserial"),
            _num(s.point_biserial),
        )

    @admin.display(description=_("preview"))
    def preview(self, obj: Question) -> str:
        if obj.pk is None:
            return gettext("Save to see a preview.")
        answer_label = gettext("answer:")
        if obj.template and obj.template in TEMPLATES:
            v = variant_generate(key=obj.template, seed=0)
            return format_html(
                '<div class="quiz-preview">{}<p><b>{}</b> {}</p><div>{}</div></div>',
                mark_safe(markdown_render(v.prompt)),
                answer_label,
                v.answer,
                mark_safe(markdown_render(v.explanation)),
            )
        correct = set(correct_choices(kind=obj.kind, answer=obj.answer))
        choices = format_html_join(
            "",
            "<li>{}{}</li>",
            ((c, " ✔" if i in correct else "") for i, c in enumerate(obj.choices)),
        )
        try:
            expected = expected_describe(kind=obj.kind, expected=obj.answer, choices=obj.choices)
        except (KeyError, TypeError, ValueError):
            expected = gettext("(invalid answer field)")
        return format_html(
            '<div class="quiz-preview">{}<ol start="0">{}</ol><p><b>{}</b> {}</p>{}</div>',
            mark_safe(markdown_render(obj.prompt)),
            choices,
            answer_label,
            expected,
            mark_safe(markdown_render(obj.explanation)),
        )

    def save_model(self, request: HttpRequest, obj: Question, form, change: bool) -> None:
        content_changed = set(form.changed_data) - {"edited_in_admin", "is_active"}
        if change and content_changed:
            # Keeps the import from overwriting the instructor's version.
            obj.edited_in_admin = True
        if not change:
            obj.source = Question.Source.ADMIN
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="quiz_question_statistics",
            )
        ] + super().get_urls()

    def statistics_view(self, request: HttpRequest) -> HttpResponse:
        """Every question's statistics in one table, sorted server-side by `?o=` (a column
        key, `-` in front for descending)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        key, descending = question_stats_order_parse(request.GET.get("o"))
        rows = question_stats_rows(order=("-" if descending else "") + key)
        columns = [
            ("question", gettext("question")),
            ("topic", gettext("topic")),
            ("kind", gettext("kind")),
            ("answers", gettext("answers")),
            ("share_correct", gettext("share correct")),
            ("discrimination", gettext("discrimination (upper−lower 27%)")),
            ("point_biserial", gettext("point-biserial")),
        ]
        headers = []
        for name, label in columns:
            sorted_here = name == key
            # A click on the sorted column turns it round; another column starts ascending,
            # except the statistics, where the largest values are the interesting ones first.
            if sorted_here:
                next_order = name if descending else f"-{name}"
            else:
                next_order = name if name in ("question", "topic", "kind") else f"-{name}"
            headers.append(
                {
                    "name": name,
                    "label": label,
                    "url": f"?o={next_order}",
                    "aria_sort": (
                        ("descending" if descending else "ascending") if sorted_here else None
                    ),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Question statistics"),
            "opts": self.model._meta,
            "headers": headers,
            "rows": [
                {
                    "question": row.question,
                    "short": Truncator(row.question.prompt).chars(PROMPT_SHORT),
                    "truncated": len(row.question.prompt) > PROMPT_SHORT,
                    "answers": row.stats.answers,
                    "share_correct": _pct(row.stats.share_correct),
                    "discrimination": _num(row.stats.discrimination),
                    "point_biserial": _num(row.stats.point_biserial),
                }
                for row in rows
            ],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/quiz/question/statistics.html", context)


class ExamQuestionInline(admin.TabularInline):
    model = ExamQuestion
    autocomplete_fields = ["question"]
    extra = 3


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "time_limit_minutes", "opens_at", "closes_at"]
    list_filter = ["is_published"]
    search_fields = ["title"]
    inlines = [ExamQuestionInline]


class AttemptItemInline(admin.TabularInline):
    model = AttemptItem
    extra = 0
    can_delete = False
    fields = ["position", "question", "kind", "answer", "is_correct"]
    readonly_fields = fields


@admin.register(ExamAttempt)
class ExamAttemptAdmin(LearnerScopedMixin, admin.ModelAdmin):
    list_display = ["id", "user", "exam", "status", "score", "max_score", "started_at", "deadline"]
    list_filter = ["status", "exam"]
    search_fields = ["user__username"]
    readonly_fields = [f.name for f in ExamAttempt._meta.fields]
    inlines = [AttemptItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ReviewState)
class ReviewStateAdmin(LearnerScopedMixin, admin.ModelAdmin):
    list_display = ["user", "card", "due", "reps", "last_review"]
    search_fields = ["user__username", "card__question"]
    raw_id_fields = ["user", "card"]


@admin.register(ReviewLog)
class ReviewLogAdmin(LearnerScopedMixin, admin.ModelAdmin):
    list_display = ["user", "card", "source", "rating", "reviewed_at"]
    list_filter = ["source"]
    raw_id_fields = ["user", "card"]
