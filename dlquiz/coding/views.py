"""Exercise and submission pages. Submitting goes through the JSON API (session auth + CSRF);
these views render, and the result fragment is what the exercise page polls."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from dlquiz.coding import selectors
from dlquiz.coding.services import MAX_CODE_BYTES
from dlquiz.content.rendering import markdown_render

HISTORY_ON_EXERCISE_PAGE = 20


def exercise_list(request: HttpRequest) -> HttpResponse:
    progress = selectors.exercise_progress_list(user=request.user)
    return render(request, "coding/exercise_list.html", {"progress": progress})


def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = selectors.exercise_get_visible(user=request.user, slug=slug)
    if exercise is None:
        raise Http404
    history = []
    hints = selectors.exercise_hints_unlocked(user=request.user, exercise=exercise)
    if request.user.is_authenticated:
        history = selectors.submission_history(
            user=request.user, exercise_slug=slug, limit=HISTORY_ON_EXERCISE_PAGE
        )
    context = {
        "exercise": exercise,
        "title": selectors.exercise_title(exercise=exercise),
        "statement_html": markdown_render(selectors.exercise_statement_body(exercise=exercise)),
        "history": history,
        "hints": {
            "unlocked": [
                {"position": hint["position"], "html": markdown_render(hint["text"])}
                for hint in hints["unlocked"]
            ],
            "locked": hints["locked"],
        },
        "max_code_bytes": MAX_CODE_BYTES,
        "editor_config": {
            "slug": exercise.slug,
            "frameworks": exercise.frameworks,
            "starterCode": exercise.starter_code,
            "submitUrl": "/api/submissions/",
            "runSamplesUrl": "/api/submissions/run-samples/",
            "resultUrl": "/submissions/{id}/result/",
            "detailUrl": "/submissions/{id}/",
            "maxCodeBytes": MAX_CODE_BYTES,
            "messages": {
                "tooLong": gettext("code: at most 64 KiB"),
                "retryAfter": gettext("Retry after {seconds} s."),
                "queued": gettext("queued"),
            },
        },
    }
    return render(request, "coding/exercise_detail.html", context)


@login_required
def submission_list(request: HttpRequest) -> HttpResponse:
    history = selectors.submission_history(user=request.user)
    return render(request, "coding/submission_list.html", {"history": history})


def _visible_submission(request: HttpRequest, submission_id: int):
    submission = selectors.submission_get_visible(user=request.user, submission_id=submission_id)
    if submission is None:
        raise Http404
    return submission


@login_required
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _visible_submission(request, submission_id)
    result = selectors.submission_result(submission=submission, viewer=request.user)
    feedback = selectors.submission_feedback(submission=submission, result=result)
    return render(
        request,
        "coding/submission_detail.html",
        {"submission": submission, "result": result, "feedback": feedback},
    )


@never_cache
@login_required
def submission_result_fragment(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The result box alone; the exercise page polls it until it says it is final."""
    submission = _visible_submission(request, submission_id)
    result = selectors.submission_result(submission=submission, viewer=request.user)
    feedback = selectors.submission_feedback(submission=submission, result=result)
    return render(request, "coding/_result.html", {"result": result, "feedback": feedback})
