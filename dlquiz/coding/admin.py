"""Instructor admin: exercises (points, publication, due date, time multiplier), submissions with
every test (hidden ones included), regrade jobs with progress, grades CSV, score histogram."""

from __future__ import annotations

import csv
from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from dlquiz.coding import selectors, services
from dlquiz.coding.charts import histogram_svg
from dlquiz.coding.models import Exercise, ExerciseHint, GradedTest, RegradeJob, Submission
from dlquiz.coding.serializers import FRAMEWORKS
from dlquiz.coding.widgets import CODE_EDITOR_MEDIA, CodeMapField
from dlquiz.core.widgets import PLAIN_TEXT_OVERRIDES, Column, RowsField
from dlquiz.courses.admin import LearnerScopedMixin
from dlquiz.courses.selectors import learners_visible_filter
from exercises.registry import ExerciseNotFound, exercise_get

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
        modeladmin.message_user(request, gettext("Nothing to regrade."), messages.WARNING)
        return None
    job = services.regrade_job_create(
        created_by=request.user,
        submission_ids=submission_ids,
        description=description,
        exercise=exercise,
    )
    modeladmin.message_user(
        request,
        ngettext(
            "Regrading %(count)d submission in the background.",
            "Regrading %(count)d submissions in the background.",
            job.total,
        )
        % {"count": job.total},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:coding_regradejob_change", args=[job.pk]))


def regrade_confirmation(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    title: str,
    heading: str,
    per_exercise: list[tuple[str, int]],
    action: str,
    selected: list[int],
) -> TemplateResponse:
    """The page that says how many submissions go back into the queue; its button posts the
    action again with post=yes."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "heading": heading,
        "opts": modeladmin.model._meta,
        "exercises": per_exercise,
        "total": sum(count for _slug, count in per_exercise),
        "action": action,
        "selected": selected,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/coding/regrade_confirmation.html", context)


SAMPLE_COLUMNS = (
    Column("name", _("name")),
    Column("call", _("call"), kind="textarea"),
    Column("expected", _("expected result"), kind="textarea"),
)


class ExerciseAdminForm(forms.ModelForm):
    """Frameworks as checkboxes, starter code in a code editor per framework, samples as rows:
    the stored JSON keeps its shape, and a form saved unchanged stores the same values."""

    frameworks = forms.MultipleChoiceField(
        label=_("frameworks"),
        choices=[(name, name) for name in FRAMEWORKS],
        widget=forms.CheckboxSelectMultiple,
    )
    starter_code = CodeMapField(
        label=_("starter code"),
        keys=FRAMEWORKS,
        required=False,
        help_text=_("The code a student starts from, per framework; leave empty for none."),
    )
    samples = RowsField(
        label=_("visible samples"),
        columns=SAMPLE_COLUMNS,
        add_label=_("Add a sample"),
        required=False,
        help_text=_("Sample tests as shown to students: a call and its expected result."),
    )

    class Meta:
        model = Exercise
        fields = (
            "max_score",
            "is_published",
            "due_at",
            "time_limit_multiplier",
            "slug",
            "title",
            "title_en",
            "statement",
            "statement_en",
            "frameworks",
            "starter_code",
            "samples",
            "position",
            "difficulty",
            "topic",
        )

    def clean_frameworks(self) -> list[str]:
        chosen = self.cleaned_data["frameworks"]
        before = [name for name in self.initial.get("frameworks") or [] if name in chosen]
        return before + [name for name in FRAMEWORKS if name in chosen and name not in before]

    def clean_samples(self) -> list[dict[str, str]]:
        samples = self.cleaned_data["samples"]
        names = [sample["name"] for sample in samples]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise forms.ValidationError(
                gettext("Each sample needs its own name; repeated: %(names)s."),
                params={"names": ", ".join(repeated)},
            )
        return samples

    def clean(self) -> dict:
        cleaned = super().clean()
        frameworks = cleaned.get("frameworks")
        code = cleaned.get("starter_code")
        if frameworks is not None and code:
            extra = [name for name in code if name not in frameworks]
            if extra:
                self.add_error(
                    "starter_code",
                    gettext("Starter code for a framework the exercise does not offer: %(names)s.")
                    % {"names": ", ".join(extra)},
                )
        return cleaned


class ExerciseHintInline(admin.TabularInline):
    """Hints a student unlocks one per failed submission, in position order."""

    model = ExerciseHint
    extra = 1
    formfield_overrides = PLAIN_TEXT_OVERRIDES
    fields = ("position", "text", "text_en")


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseAdminForm
    formfield_overrides = PLAIN_TEXT_OVERRIDES
    inlines = (ExerciseHintInline,)
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
    readonly_fields = (
        "synced_at",
        "score_distribution",
        "regrade_jobs_progress",
        "model_solution",
    )
    actions = ("regrade_all_submissions", "publish", "unpublish")
    change_list_template = "admin/coding/exercise/change_list.html"
    fieldsets = (
        (
            _("Grading"),
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
            _("Content (synced from the exercise package by load_content)"),
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
                    "model_solution",
                    "samples",
                    "position",
                    "difficulty",
                    "topic",
                    "synced_at",
                ),
            },
        ),
    )

    @property
    def media(self) -> forms.Media:
        return super().media + CODE_EDITOR_MEDIA

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exercise]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_submissions=Count(
                    "submissions",
                    filter=Q(submissions__kind=Submission.Kind.SUBMISSION)
                    & learners_visible_filter(viewer=request.user, path="submissions__user"),
                )
            )
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        exercise = super().get_object(request, object_id, from_field)
        if exercise is not None:
            # Whose scores the histogram counts (a display function gets only the row).
            exercise.viewer = request.user
        return exercise

    @admin.display(description=_("submissions"), ordering="n_submissions")
    def submission_count(self, exercise: Exercise) -> int:
        return exercise.n_submissions

    @admin.display(description=_("score distribution"))
    def score_distribution(self, exercise: Exercise):
        viewer = getattr(exercise, "viewer", None)
        if exercise.pk is None or viewer is None:
            return "–"
        bins = selectors.exercise_score_distribution(exercise=exercise, viewer=viewer)
        students = sum(b.count for b in bins)
        if exercise.due_at:
            text = ngettext(
                "%(count)d student with a graded submission up to the due date.",
                "%(count)d students with a graded submission up to the due date.",
                students,
            )
        else:
            text = ngettext(
                "%(count)d student with a graded submission.",
                "%(count)d students with a graded submission.",
                students,
            )
        return format_html("{}<p>{}</p>", histogram_svg(bins=bins), text % {"count": students})

    @admin.display(description=_("regrade jobs"))
    def regrade_jobs_progress(self, exercise: Exercise):
        if exercise.pk is None:
            return "–"
        jobs = list(exercise.regrade_jobs.all()[:5])
        if not jobs:
            return gettext("none")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">#{} {}: {}</a></li>',
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

    @admin.display(description=_("model solution"))
    def model_solution(self, exercise: Exercise):
        """The package's reference solution per framework, read-only (instructors only)."""
        try:
            package = exercise_get(exercise.slug)
        except ExerciseNotFound:
            return gettext("No exercise package has this slug.")
        return format_html_join(
            "",
            '<div class="code-map-entry"><label for="model-solution-{}">{}</label>'
            '<textarea id="model-solution-{}" class="code-text" rows="12" cols="80" readonly '
            'spellcheck="false" data-code-editor>\n{}</textarea></div>',
            (
                (
                    framework,
                    gettext("Framework %(framework)s") % {"framework": framework},
                    framework,
                    package.solution_source(framework=framework),
                )
                for framework in package.frameworks
            ),
        )

    @admin.action(description=_("Regrade all submissions of the selected exercises"))
    def regrade_all_submissions(self, request: HttpRequest, queryset: QuerySet[Exercise]):
        """Asks first, on a page that says how many submissions go back into the queue; the
        confirmation posts the action again with post=yes."""
        if not request.user.has_perm("coding.change_submission"):
            raise PermissionDenied
        exercises = list(queryset.order_by("position", "slug"))
        per_exercise = [
            (exercise, selectors.submission_ids_for_exercise(exercise=exercise))
            for exercise in exercises
        ]
        ids = [pk for _exercise, pks in per_exercise for pk in pks]
        if not ids or request.POST.get("post") == "yes":
            return regrade_job_start(
                self,
                request,
                submission_ids=ids,
                description=gettext("all submissions of %(exercises)s")
                % {"exercises": ", ".join(e.slug for e in exercises)},
                exercise=exercises[0] if len(exercises) == 1 else None,
            )
        return regrade_confirmation(
            self,
            request,
            title=gettext("Regrade all submissions?"),
            heading=gettext("Regrade all submissions"),
            per_exercise=[(exercise.slug, len(pks)) for exercise, pks in per_exercise],
            action="regrade_all_submissions",
            selected=[exercise.pk for exercise in exercises],
        )

    @admin.action(description=_("Publish the selected exercises"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        # One save per exercise, not update(): the audit log records each change from its signal.
        for exercise in queryset.exclude(is_published=True):
            exercise.is_published = True
            exercise.save(update_fields=["is_published"])

    @admin.action(description=_("Unpublish the selected exercises"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        for exercise in queryset.exclude(is_published=False):
            exercise.is_published = False
            exercise.save(update_fields=["is_published"])

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
        for row in selectors.grades_table(exercises=exercises, viewer=request.user):
            writer.writerow(
                [csv_cell(row.username), *(score_cell(s) for s in row.scores), f"{row.total:g}"]
            )
        return response


def progress_text(progress: selectors.RegradeProgress) -> str:
    text = gettext("%(done)d/%(total)d graded (%(percent)d%%)") % {
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
    }
    if progress.failed:
        text += gettext(", %(failed)d failed") % {"failed": progress.failed}
    return text + ("" if progress.finished else gettext(", running"))


class GradedTestInline(admin.TabularInline):
    model = GradedTest
    extra = 0
    can_delete = False
    fields = (
        "position",
        "name",
        "hidden",
        "status",
        "score",
        "max_score",
        "time_ms",
        "time_limit_ms",
        "message",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(LearnerScopedMixin, admin.ModelAdmin):
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

    @admin.display(description=_("code"))
    def code_block(self, submission: Submission):
        return format_html('<pre style="white-space: pre; overflow:auto">{}</pre>', submission.code)

    @admin.action(description=_("Regrade the selected submissions"), permissions=["change"])
    def regrade_selected(self, request: HttpRequest, queryset: QuerySet[Submission]):
        """Asks first, like regrade-all: a hundred ticked rows are a hundred grades replaced."""
        rows = list(queryset.order_by("pk").values_list("pk", "exercise__slug"))
        ids = [pk for pk, _slug in rows]
        if ids and request.POST.get("post") != "yes":
            per_exercise = Counter(slug for _pk, slug in rows)
            return regrade_confirmation(
                self,
                request,
                title=gettext("Regrade the selected submissions?"),
                heading=gettext("Regrade the selected submissions"),
                per_exercise=sorted(per_exercise.items()),
                action="regrade_selected",
                selected=ids,
            )
        return regrade_job_start(
            self,
            request,
            submission_ids=ids,
            description=ngettext(
                "%(count)d selected submission", "%(count)d selected submissions", len(ids)
            )
            % {"count": len(ids)},
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
        submission = self.get_queryset(request).filter(pk=submission_id).first()
        if submission is None or not self.has_change_permission(request, submission):
            raise PermissionDenied
        return regrade_job_start(
            self,
            request,
            submission_ids=[submission.pk],
            description=gettext("submission #%(id)d") % {"id": submission.pk},
        )


# How often the job page asks for its progress while the job runs.
REGRADE_REFRESH_SECONDS = 2


@admin.register(RegradeJob)
class RegradeJobAdmin(admin.ModelAdmin):
    list_display = ("id", "description", "exercise", "created_by", "created_at", "progress")
    list_select_related = ("exercise", "created_by")
    # The change page shows progress in a region of its own that refreshes itself.
    readonly_fields = ("description", "exercise", "created_by", "created_at", "total")
    fields = readonly_fields
    change_form_template = "admin/coding/regradejob/change_form.html"

    class Media:
        js = ["core/live.js"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("progress"))
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

    def get_urls(self):
        return [
            path(
                "<int:job_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="coding_regradejob_progress",
            )
        ] + super().get_urls()

    def live_context(self, job: RegradeJob) -> dict:
        """What the job page's self-refreshing progress region shows (see core/live.js)."""
        progress = selectors.regrade_job_progress(job=job)
        done = ""
        if progress.finished:
            done = ngettext(
                "Regrade finished: %(done)d of %(total)d submission graded, %(failed)d failed.",
                "Regrade finished: %(done)d of %(total)d submissions graded, %(failed)d failed.",
                progress.total,
            ) % {"done": progress.done, "total": progress.total, "failed": progress.failed}
        return {
            "job": job,
            "progress": progress,
            "progress_html": self.progress(job),
            "refresh_seconds": None if progress.finished else REGRADE_REFRESH_SECONDS,
            "done_message": done,
            "progress_url": reverse("admin:coding_regradejob_progress", args=[job.pk]),
        }

    def progress_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """The progress region alone, fetched again by the job page while the job runs."""
        job = RegradeJob.objects.filter(pk=job_id).first()
        if job is None:
            raise Http404
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return TemplateResponse(
            request, "admin/coding/regradejob/progress.html", self.live_context(job)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        live = {} if job is None else self.live_context(job)
        return super().change_view(request, object_id, form_url, (extra_context or {}) | live)
