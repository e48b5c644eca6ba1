"""Instructor admin: exercises (points, publication, due date, time multiplier), submissions with
every test (hidden ones included), regrade jobs with progress, grades CSV, score histogram."""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from dlquiz.coding import selectors, services
from dlquiz.coding.charts import histogram_svg
from dlquiz.coding.models import Exercise, GradedTest, RegradeJob, Submission

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def score_cell(score: float | None) -> str:
    return "" if score is None else f"{score:g}"


def regrade_job_start(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    submission_ids: list[int],
    description: str,
    exercise: Exercise | None = None,
) -> HttpResponseRedirect | None:
    if not submission_ids:
        modeladmin.message_user(request, "Nothing to regrade.", messages.WARNING)
        return None
    job = services.regrade_job_create(
        created_by=request.user,
        submission_ids=submission_ids,
        description=description,
        exercise=exercise,
    )
    modeladmin.message_user(
        request, f"Regrading {job.total} submission(s) in the background.", messages.SUCCESS
    )
    return HttpResponseRedirect(reverse("admin:coding_regradejob_change", args=[job.pk]))


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = (
        "slug",
        "title",
        "max_score",
        "is_published",
        "due_at",
        "time_limit_multiplier",
        "submission_count",
    )
    list_editable = ("max_score", "is_published", "due_at", "time_limit_multiplier")
    list_filter = ("is_published",)
    search_fields = ("slug", "title", "title_en")
    readonly_fields = ("synced_at", "score_distribution", "regrade_jobs_progress")
    actions = ("regrade_all_submissions", "publish", "unpublish")
    change_list_template = "admin/coding/exercise/change_list.html"
    fieldsets = (
        (
            "Grading",
            {
                "fields": (
                    "max_score",
                    "is_published",
                    "due_at",
                    "time_limit_multiplier",
                    "score_distribution",
                    "regrade_jobs_progress",
                )
            },
        ),
        (
            "Content (synced from the exercise package by load_content)",
            {
                "classes": ("collapse",),
                "fields": (
                    "slug",
                    "title",
                    "title_en",
                    "statement",
                    "statement_en",
                    "frameworks",
                    "starter_code",
                    "samples",
                    "position",
                    "synced_at",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exercise]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_submissions=Count(
                    "submissions", filter=Q(submissions__kind=Submission.Kind.SUBMISSION)
                )
            )
        )

    @admin.display(description="submissions", ordering="n_submissions")
    def submission_count(self, exercise: Exercise) -> int:
        return exercise.n_submissions

    @admin.display(description="score distribution")
    def score_distribution(self, exercise: Exercise):
        if exercise.pk is None:
            return "–"
        bins = selectors.exercise_score_distribution(exercise=exercise)
        students = sum(b.count for b in bins)
        return format_html(
            "{}<p>{} student(s) with a graded submission{}.</p>",
            histogram_svg(bins=bins),
            students,
            " up to the due date" if exercise.due_at else "",
        )

    @admin.display(description="regrade jobs")
    def regrade_jobs_progress(self, exercise: Exercise):
        if exercise.pk is None:
            return "–"
        jobs = list(exercise.regrade_jobs.all()[:5])
        if not jobs:
            return "none"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">#{}</a> {}: {}</li>',
                (
                    (
                        reverse("admin:coding_regradejob_change", args=[job.pk]),
                        job.pk,
                        job.created_at.strftime("%Y-%m-%d %H:%M"),
                        progress_text(selectors.regrade_job_progress(job=job)),
                    )
                    for job in jobs
                ),
            ),
        )

    @admin.action(description="Regrade all submissions of the selected exercises")
    def regrade_all_submissions(self, request: HttpRequest, queryset: QuerySet[Exercise]):
        if not request.user.has_perm("coding.change_submission"):
            raise PermissionDenied
        exercises = list(queryset)
        ids = [
            pk
            for exercise in exercises
            for pk in selectors.submission_ids_for_exercise(exercise=exercise)
        ]
        return regrade_job_start(
            self,
            request,
            submission_ids=ids,
            description="all submissions of " + ", ".join(e.slug for e in exercises),
            exercise=exercises[0] if len(exercises) == 1 else None,
        )

    @admin.action(description="Publish the selected exercises")
    def publish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        queryset.update(is_published=True)

    @admin.action(description="Unpublish the selected exercises")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        queryset.update(is_published=False)

    def get_urls(self):
        return [
            path(
                "grades.csv",
                self.admin_site.admin_view(self.grades_csv_view),
                name="coding_exercise_grades_csv",
            )
        ] + super().get_urls()

    def grades_csv_view(self, request: HttpRequest) -> HttpResponse:
        """Student × exercise, best score among submissions made up to each due date."""
        if not request.user.has_perm("coding.view_submission"):
            raise PermissionDenied
        exercises = list(Exercise.objects.order_by("position", "slug"))
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dlquiz-grades-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(["student", *(e.slug for e in exercises), "total"])
        writer.writerow(["(max)", *(score_cell(e.max_score) for e in exercises), ""])
        for row in selectors.grades_table(exercises=exercises):
            writer.writerow(
                [csv_cell(row.username), *(score_cell(s) for s in row.scores), f"{row.total:g}"]
            )
        return response


def progress_text(progress: selectors.RegradeProgress) -> str:
    text = f"{progress.done}/{progress.total} graded ({progress.percent}%)"
    if progress.failed:
        text += f", {progress.failed} failed"
    return text + ("" if progress.finished else ", running")


class GradedTestInline(admin.TabularInline):
    model = GradedTest
    extra = 0
    can_delete = False
    fields = ("position", "name", "hidden", "status", "score", "max_score", "time_ms", "message")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "exercise",
        "framework",
        "kind",
        "status",
        "verdict",
        "score",
        "created_at",
    )
    list_filter = ("exercise", "status", "verdict", "kind", "framework")
    search_fields = ("user__username", "=id")
    list_select_related = ("user", "exercise")
    date_hierarchy = "created_at"
    inlines = (GradedTestInline,)
    actions = ("regrade_selected",)
    readonly_fields = (
        "user",
        "exercise",
        "framework",
        "kind",
        "status",
        "verdict",
        "score",
        "max_score",
        "code_block",
        "message",
        "stdout",
        "stderr",
        "attempts",
        "idempotency_key",
        "worker",
        "created_at",
        "started_at",
        "graded_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="code")
    def code_block(self, submission: Submission):
        return format_html('<pre style="white-space: pre; overflow:auto">{}</pre>', submission.code)

    @admin.action(description="Regrade the selected submissions", permissions=["change"])
    def regrade_selected(self, request: HttpRequest, queryset: QuerySet[Submission]):
        ids = list(queryset.values_list("pk", flat=True))
        return regrade_job_start(
            self, request, submission_ids=ids, description=f"{len(ids)} selected submission(s)"
        )

    def get_urls(self):
        return [
            path(
                "<int:submission_id>/regrade/",
                self.admin_site.admin_view(self.regrade_one_view),
                name="coding_submission_regrade",
            )
        ] + super().get_urls()

    def regrade_one_view(self, request: HttpRequest, submission_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        submission = Submission.objects.filter(pk=submission_id).first()
        if submission is None or not self.has_change_permission(request, submission):
            raise PermissionDenied
        return regrade_job_start(
            self,
            request,
            submission_ids=[submission.pk],
            description=f"submission #{submission.pk}",
        )


@admin.register(RegradeJob)
class RegradeJobAdmin(admin.ModelAdmin):
    list_display = ("id", "description", "exercise", "created_by", "created_at", "progress")
    list_select_related = ("exercise", "created_by")
    readonly_fields = ("description", "exercise", "created_by", "created_at", "total", "progress")
    fields = readonly_fields
    change_form_template = "admin/coding/regradejob/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="progress")
    def progress(self, job: RegradeJob):
        progress = selectors.regrade_job_progress(job=job)
        return format_html(
            '<progress max="{}" value="{}"></progress> <span class="regrade-progress" '
            'data-finished="{}">{}</span>',
            max(progress.total, 1),
            progress.done,
            int(progress.finished),
            progress_text(progress),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        finished = job is None or selectors.regrade_job_progress(job=job).finished
        extra_context = (extra_context or {}) | {"auto_refresh": not finished}
        return super().change_view(request, object_id, form_url, extra_context)
