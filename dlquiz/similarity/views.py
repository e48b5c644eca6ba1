"""Similarity pages, for the staff of a course (instructors and TAs) over their own course's
students: the course's exercises with their latest check, a check's ranked pairs (refreshing
itself while it runs), and one pair side by side. Anything of another course is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from dlquiz.similarity import selectors, services

REFRESH_SECONDS = 2


@login_required
@require_GET
def exercise_list(request: HttpRequest) -> HttpResponse:
    if not selectors.user_may_check(user=request.user):
        raise Http404
    sections = selectors.course_sections(user=request.user)
    return render(request, "similarity/exercise_list.html", {"sections": sections})


def _id_field(request: HttpRequest, name: str) -> int | None:
    """An optional id from the form; None when absent, ValueError when not a number."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValueError(name)
    return int(raw)


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    if not selectors.user_may_check(user=request.user):
        raise Http404
    slug = request.POST.get("exercise", "").strip()
    if not slug:
        return form_error(request, gettext("exercise: this field is required."))
    try:
        course_id = _id_field(request, "course")
        assignment_id = _id_field(request, "assignment")
    except ValueError as exc:
        return form_error(request, gettext("%(field)s: not a number.") % {"field": exc.args[0]})
    try:
        run = services.similarity_run_create(
            user=request.user,
            exercise_slug=slug,
            course_id=course_id,
            assignment_id=assignment_id,
        )
    except PermissionError as exc:
        raise Http404 from exc
    except services.SimilarityError as exc:
        return form_error(request, FIELD_MESSAGES[exc.field]())
    return redirect("similarity-run", run_id=run.pk)


# The service's refusals, by field, in the page's language.
FIELD_MESSAGES = {
    "exercise": lambda: gettext("exercise: no exercise has this slug."),
    "course": lambda: gettext("course: choose the course whose students are compared."),
    "assignment": lambda: gettext("assignment: this assignment of the course does not set it."),
}


def form_error(request: HttpRequest, message: str) -> HttpResponse:
    sections = selectors.course_sections(user=request.user)
    return render(
        request,
        "similarity/exercise_list.html",
        {"sections": sections, "error": message},
        status=400,
    )


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get_visible(user=request.user, run_id=run_id)
    if run is None:
        raise Http404
    context = {
        "run": run,
        "pairs": selectors.run_pairs(run=run) if run.is_finished else [],
        "suspicious": services.SUSPICIOUS_SCORE,
        "refresh": None if run.is_finished else REFRESH_SECONDS,
    }
    return render(request, "similarity/run_detail.html", context)


@login_required
@require_GET
def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = selectors.pair_get_visible(user=request.user, pair_id=pair_id)
    if pair is None:
        raise Http404
    context = {
        "pair": pair,
        "run": pair.run,
        "code_a": selectors.code_highlight(code=pair.submission_a.code, slices=pair.slices_a),
        "code_b": selectors.code_highlight(code=pair.submission_b.code, slices=pair.slices_b),
        "submission_links": selectors.submission_pages_visible(user=request.user),
    }
    return render(request, "similarity/pair_detail.html", context)
