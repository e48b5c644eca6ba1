from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from dlquiz.content.rendering import markdown_render
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
from dlquiz.quiz.selectors import QuestionStats, question_stats_all
from dlquiz.quiz.variants import TEMPLATES, variant_generate

NO_STATS = QuestionStats(answers=0, share_correct=None, discrimination=None, point_biserial=None)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "key",
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
    fieldsets = [
        (None, {"fields": ["key", "topic", "kind", "is_active", "edited_in_admin"]}),
        ("Content", {"fields": ["prompt", "choices", "answer", "explanation", "cards"]}),
        ("Preview and statistics", {"fields": ["preview", "statistics"]}),
        ("Origin", {"fields": ["source", "template", "card_snippets", "created_at"]}),
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

    @admin.display(description="answers")
    def answers(self, obj: Question) -> int:
        return self._stats(obj).answers

    @admin.display(description="share correct")
    def share_correct(self, obj: Question) -> str:
        return _pct(self._stats(obj).share_correct)

    @admin.display(description="discrimination (upper−lower 27%)")
    def discrimination(self, obj: Question) -> str:
        return _num(self._stats(obj).discrimination)

    @admin.display(description="statistics")
    def statistics(self, obj: Question) -> str:
        if obj.pk is None:
            return "—"
        s = self._stats(obj)
        return format_html(
            "answers: {} · share correct: {} · discrimination (upper−lower 27%): {} · "
            "point-biserial: {}",
            s.answers,
            _pct(s.share_correct),
            _num(s.discrimination),
            _num(s.point_biserial),
        )

    @admin.display(description="preview")
    def preview(self, obj: Question) -> str:
        if obj.pk is None:
            return "Save to see a preview."
        if obj.template and obj.template in TEMPLATES:
            v = variant_generate(key=obj.template, seed=0)
            return format_html(
                '<div class="quiz-preview">{}<p><b>answer:</b> {}</p><div>{}</div></div>',
                mark_safe(markdown_render(v.prompt)),
                v.answer,
                mark_safe(markdown_render(v.explanation)),
            )
        correct = set()
        if obj.kind == "single":
            correct = {obj.answer.get("choice")}
        elif obj.kind == "multiple":
            correct = set(obj.answer.get("choices", []))
        choices = format_html_join(
            "",
            "<li>{}{}</li>",
            ((c, " ✔" if i in correct else "") for i, c in enumerate(obj.choices)),
        )
        try:
            expected = expected_describe(kind=obj.kind, expected=obj.answer, choices=obj.choices)
        except (KeyError, TypeError, ValueError):
            expected = "(invalid answer field)"
        return format_html(
            '<div class="quiz-preview">{}<ol start="0">{}</ol><p><b>answer:</b> {}</p>{}</div>',
            mark_safe(markdown_render(obj.prompt)),
            choices,
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
class ExamAttemptAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "exam", "status", "score", "max_score", "started_at", "deadline"]
    list_filter = ["status", "exam"]
    search_fields = ["user__username"]
    readonly_fields = [f.name for f in ExamAttempt._meta.fields]
    inlines = [AttemptItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ReviewState)
class ReviewStateAdmin(admin.ModelAdmin):
    list_display = ["user", "card", "due", "reps", "last_review"]
    search_fields = ["user__username", "card__question"]
    raw_id_fields = ["user", "card"]


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin):
    list_display = ["user", "card", "source", "rating", "reviewed_at"]
    list_filter = ["source"]
    raw_id_fields = ["user", "card"]
