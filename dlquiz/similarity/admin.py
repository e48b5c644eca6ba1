from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dlquiz.similarity import selectors
from dlquiz.similarity.models import SimilarityPair, SimilarityRun


class SimilarityPairInline(admin.TabularInline):
    model = SimilarityPair
    fields = ("score", "submission_a", "submission_b", "token_overlap", "side_by_side")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0

    @admin.display(description=_("side by side"))
    def side_by_side(self, pair: SimilarityPair) -> str:
        if pair.pk is None:
            return "-"  # the inline's blank template row
        return format_html(
            '<a href="{}">{}</a>', reverse("similarity-pair", args=[pair.pk]), _("open")
        )


@admin.register(SimilarityRun)
class SimilarityRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "exercise",
        "course",
        "assignment",
        "status",
        "low_signal",
        "submissions_count",
        "created_at",
    )
    list_filter = ("status", "low_signal")
    list_select_related = ("exercise", "course", "assignment")
    readonly_fields = (
        "exercise",
        "course",
        "assignment",
        "created_by",
        "status",
        "low_signal",
        "submissions_count",
        "pairs_total",
        "pairs_done",
        "message",
        "created_at",
        "started_at",
        "finished_at",
        "page",
    )
    inlines = [SimilarityPairInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SimilarityRun]:
        # The pages' rule: a course's checks for its staff, the rest for superusers.
        return selectors.run_queryset_visible(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A check is started from the similarity page, which queues it.
        return False

    @admin.display(description=_("page"))
    def page(self, run: SimilarityRun) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("similarity-run", args=[run.pk]), _("ranked pairs")
        )
