"""Who may read or change what: anonymous, student A, student B and an instructor over every
route of the API and the web pages (the admin included). Hidden-test messages, other students'
code and the reference solutions never reach a student; session-authenticated writes need a
CSRF token. (`check --deploy` is covered by tests/core/test_settings.py.)"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from exercises.registry import exercise_list
from tests.coding.factories import graded_submission_create, student_create
from tests.security import course_rules
from tests.security.conftest import STUDENT_CODE, World, session_client, token_client

pytestmark = pytest.mark.django_db

ROLES = ("anon", "a", "b", "instructor")
LOGIN = "login"  # a redirect to the login page (web pages that need a session)
ADMIN_LOGIN = "admin-login"  # a redirect to the admin's login page


@dataclass(frozen=True)
class Rule:
    method: str
    route: str  # the URL pattern, as Django spells it, for the coverage check
    url: Callable[[World], str]
    expect: dict[str, object]  # role → status code, LOGIN or ADMIN_LOGIN
    body: Callable[[World], dict] | None = None
    # Web forms post form-encoded data; API bodies are JSON.
    form: bool = False


def same(status: object) -> dict[str, object]:
    return dict.fromkeys(ROLES, status)


def api_auth(status: object, *, anon: object = 401) -> dict[str, object]:
    return {"anon": anon, "a": status, "b": status, "instructor": status}


def submit_body(world: World) -> dict:
    return {
        "exercise": "softmax",
        "framework": "torch",
        "code": "def softmax(x, dim=-1):\n  return x\n",
    }


def submit_unpublished_body(world: World) -> dict:
    return {
        "exercise": world.unpublished.slug,
        "framework": "torch",
        "code": "def f(q, k, v, mask=None):\n  return q\n",
    }


API_RULES = [
    Rule("GET", "api/exercises/", lambda w: "/api/exercises/", api_auth(200)),
    Rule("GET", "api/exercises/<slug:slug>/", lambda w: "/api/exercises/softmax/", api_auth(200)),
    Rule(
        "GET",
        "api/exercises/<slug:slug>/",
        lambda w: f"/api/exercises/{w.unpublished.slug}/",
        {"anon": 401, "a": 404, "b": 404, "instructor": 200},
    ),
    Rule(
        "DELETE", "api/exercises/<slug:slug>/", lambda w: "/api/exercises/softmax/", api_auth(405)
    ),
    Rule("GET", "api/submissions/", lambda w: "/api/submissions/", api_auth(200)),
    Rule("POST", "api/submissions/", lambda w: "/api/submissions/", api_auth(201), submit_body),
    Rule(
        "POST",
        "api/submissions/",
        lambda w: "/api/submissions/",
        {"anon": 401, "a": 400, "b": 400, "instructor": 201},
        submit_unpublished_body,
    ),
    Rule(
        "POST",
        "api/submissions/run-samples/",
        lambda w: "/api/submissions/run-samples/",
        api_auth(201),
        submit_body,
    ),
    Rule(
        "GET",
        "api/submissions/<int:submission_id>/",
        lambda w: f"/api/submissions/{w.submission_a.pk}/",
        {"anon": 401, "a": 200, "b": 404, "instructor": 200},
    ),
    Rule(
        "GET",
        "api/submissions/<int:submission_id>/",
        lambda w: f"/api/submissions/{w.submission_b.pk}/",
        {"anon": 401, "a": 404, "b": 200, "instructor": 200},
    ),
    Rule(
        "GET",
        "api/submissions/<int:submission_id>/",
        lambda w: "/api/submissions/999999/",
        api_auth(404),
    ),
    *(
        Rule(
            method,
            "api/submissions/<int:submission_id>/",
            lambda w: f"/api/submissions/{w.submission_a.pk}/",
            # Nobody edits or deletes a submission through the API; B cannot even see it exists.
            {"anon": 401, "a": 405, "b": 405, "instructor": 405},
            submit_body,
        )
        for method in ("PUT", "PATCH", "DELETE")
    ),
    Rule("GET", "api/cards/", lambda w: "/api/cards/?search=softmax", same(200)),
    Rule("GET", "api/cards/<int:card_id>/", lambda w: f"/api/cards/{w.card.pk}/", same(200)),
    Rule("GET", "api/cards/<int:card_id>/", lambda w: f"/api/cards/{w.hidden_card.pk}/", same(404)),
    Rule("POST", "api/cards/", lambda w: "/api/cards/", same(405), lambda w: {"question": "x"}),
    Rule(
        "POST",
        "api/auth/token/",
        lambda w: "/api/auth/token/",
        same(400),
        lambda w: {"username": "alice", "password": "wrong password"},
    ),
    Rule("GET", "api/reviews/due/", lambda w: "/api/reviews/due/", api_auth(200)),
    Rule(
        "POST",
        "api/reviews/<int:card_id>/rate/",
        lambda w: f"/api/reviews/{w.card.pk}/rate/",
        api_auth(200),
        lambda w: {"rating": "good"},
    ),
    Rule(
        "POST",
        "api/reviews/<int:card_id>/rate/",
        lambda w: f"/api/reviews/{w.hidden_card.pk}/rate/",
        api_auth(404),
        lambda w: {"rating": "good"},
    ),
    Rule("POST", "api/reviews/undo/", lambda w: "/api/reviews/undo/", api_auth(200), lambda w: {}),
    Rule(
        "POST",
        "api/exams/attempts/",
        lambda w: "/api/exams/attempts/",
        api_auth(201),
        lambda w: {"topics": [w.topic.slug], "count": 1, "time_limit_minutes": 5},
    ),
    Rule(
        "GET",
        "api/exams/attempts/<int:attempt_id>/",
        lambda w: f"/api/exams/attempts/{w.attempt_a.pk}/",
        # An attempt belongs to its student alone.
        {"anon": 401, "a": 200, "b": 404, "instructor": 404},
    ),
    Rule(
        "PUT",
        "api/exams/attempts/<int:attempt_id>/answers/<int:position>/",
        lambda w: f"/api/exams/attempts/{w.attempt_a.pk}/answers/1/",
        {"anon": 401, "a": 200, "b": 404, "instructor": 404},
        lambda w: {"answer": 1},
    ),
    Rule(
        "PUT",
        "api/exams/attempts/<int:attempt_id>/answers/<int:position>/",
        lambda w: f"/api/exams/attempts/{w.attempt_b.pk}/answers/1/",
        {"anon": 401, "a": 404, "b": 200, "instructor": 404},
        lambda w: {"answer": 1},
    ),
    Rule(
        "POST",
        "api/exams/attempts/<int:attempt_id>/finish/",
        lambda w: f"/api/exams/attempts/{w.attempt_a.pk}/finish/",
        {"anon": 401, "a": 200, "b": 404, "instructor": 404},
        lambda w: {},
    ),
    Rule("GET", "api/schema/", lambda w: "/api/schema/", same(200)),
    Rule("GET", "api/docs/", lambda w: "/api/docs/", same(200)),
    Rule("GET", "api/redoc/", lambda w: "/api/redoc/", same(200)),
    # Any other URL under /api/ is the API's JSON 404, for every role and method.
    Rule("GET", "api/^(?:.*/)?$", lambda w: "/api/nope/", same(404)),
    Rule("POST", "api/^(?:.*/)?$", lambda w: "/api/nope/", same(404), submit_body),
]


def instructor_page(status: object = 200) -> dict[str, object]:
    return {"anon": LOGIN, "a": 404, "b": 404, "instructor": status}


def similarity_pair(world: World, *, course: str = "a"):
    """A finished similarity check of course A (the instructor's) pairing student A's
    submission with a classmate's; with course="b", course B's check pairing student B's."""
    from dlquiz.courses.services import course_join
    from dlquiz.similarity.models import SimilarityPair, SimilarityRun

    cache: dict[str, object] = world.__dict__.setdefault("_similarity_pairs", {})
    if course in cache:
        return cache[course]
    courses = course_rules.course_world(world)
    scope, student, submission = (
        (courses.course, world.student_a, world.submission_a)
        if course == "a"
        else (courses.other, world.student_b, world.submission_b)
    )
    classmate = student_create(f"classmate-{course}")
    course_join(user=classmate, join_code=scope.join_code)
    other = graded_submission_create(
        user=classmate,
        exercise=world.exercise,
        code=STUDENT_CODE,
        tests=[("sample 1", False, "passed", 1, 1, "")],
    )
    run = SimilarityRun.objects.create(
        exercise=world.exercise,
        course=scope,
        status=SimilarityRun.Status.DONE,
        pairs_total=1,
        pairs_done=1,
    )
    assert student.pk == submission.user_id
    cache[course] = SimilarityPair.objects.create(
        run=run,
        submission_a=submission,
        submission_b=other,
        score=0.9,
        similarity_a=0.9,
        similarity_b=0.8,
        token_overlap=40,
        slices_a=[[0, 10]],
        slices_b=[[0, 10]],
    )
    return cache[course]


def similarity_list(world: World) -> str:
    course_rules.course_world(world)  # the instructor teaches course A
    return "/similarity/"


WEB_RULES = [
    Rule("GET", "", lambda w: "/", same(200)),
    Rule("GET", "accounts/login/", lambda w: "/accounts/login/", same(200)),
    Rule(
        "GET",
        "accounts/signup/",
        lambda w: "/accounts/signup/",
        {"anon": 200, "a": 302, "b": 302, "instructor": 302},
    ),
    Rule("GET", "topics/", lambda w: "/topics/", same(200)),
    Rule("GET", "topics/<slug:slug>/", lambda w: f"/topics/{w.topic.slug}/", same(200)),
    Rule("GET", "topics/<slug:slug>/", lambda w: f"/topics/{w.hidden_topic.slug}/", same(404)),
    Rule(
        "GET", "topics/<slug:slug>/random/", lambda w: f"/topics/{w.topic.slug}/random/", same(200)
    ),
    Rule("GET", "cards/<int:pk>/", lambda w: f"/cards/{w.card.pk}/", same(200)),
    Rule("GET", "cards/<int:pk>/", lambda w: f"/cards/{w.hidden_card.pk}/", same(404)),
    Rule("GET", "search/", lambda w: "/search/?q=softmax", same(200)),
    Rule("GET", "exercises/", lambda w: "/exercises/", same(200)),
    Rule("GET", "exercises/<slug:slug>/", lambda w: "/exercises/softmax/", same(200)),
    Rule(
        "GET",
        "exercises/<slug:slug>/",
        lambda w: f"/exercises/{w.unpublished.slug}/",
        {"anon": 404, "a": 404, "b": 404, "instructor": 200},
    ),
    Rule(
        "GET",
        "submissions/",
        lambda w: "/submissions/",
        {"anon": LOGIN, "a": 200, "b": 200, "instructor": 200},
    ),
    Rule(
        "GET",
        "submissions/<int:submission_id>/",
        lambda w: f"/submissions/{w.submission_a.pk}/",
        {"anon": LOGIN, "a": 200, "b": 404, "instructor": 200},
    ),
    Rule(
        "GET",
        "submissions/<int:submission_id>/result/",
        lambda w: f"/submissions/{w.submission_a.pk}/result/",
        {"anon": LOGIN, "a": 200, "b": 404, "instructor": 200},
    ),
    Rule(
        "GET",
        "submissions/<int:submission_id>/result/",
        lambda w: f"/submissions/{w.submission_b.pk}/result/",
        {"anon": LOGIN, "a": 404, "b": 200, "instructor": 200},
    ),
    Rule(
        "GET",
        "review/",
        lambda w: "/review/",
        {"anon": LOGIN, "a": 200, "b": 200, "instructor": 200},
    ),
    Rule(
        "POST",
        "review/<int:card_id>/rate/",
        lambda w: f"/review/{w.card.pk}/rate/",
        {"anon": LOGIN, "a": 302, "b": 302, "instructor": 302},
        lambda w: {"rating": "good"},
        form=True,
    ),
    Rule(
        "POST",
        "review/<int:card_id>/rate/",
        lambda w: f"/review/{w.hidden_card.pk}/rate/",
        {"anon": LOGIN, "a": 404, "b": 404, "instructor": 404},
        lambda w: {"rating": "good"},
        form=True,
    ),
    Rule(
        "POST",
        "review/undo/",
        lambda w: "/review/undo/",
        {"anon": LOGIN, "a": 302, "b": 302, "instructor": 302},
        lambda w: {},
        form=True,
    ),
    Rule(
        "POST",
        "review/settings/",
        lambda w: "/review/settings/",
        {"anon": LOGIN, "a": 302, "b": 302, "instructor": 302},
        lambda w: {"desired_retention": "90", "exam_date": ""},
        form=True,
    ),
    Rule(
        "GET", "exams/", lambda w: "/exams/", {"anon": LOGIN, "a": 200, "b": 200, "instructor": 200}
    ),
    Rule(
        "GET",
        "exams/new/",
        lambda w: "/exams/new/",
        {"anon": LOGIN, "a": 200, "b": 200, "instructor": 200},
    ),
    Rule(
        "POST",
        "exams/<int:exam_id>/start/",
        lambda w: f"/exams/{w.exam.pk}/start/",
        {"anon": LOGIN, "a": 302, "b": 302, "instructor": 302},
        lambda w: {},
        form=True,
    ),
    Rule(
        "GET",
        "exams/attempts/<int:attempt_id>/",
        lambda w: f"/exams/attempts/{w.attempt_a.pk}/",
        {"anon": LOGIN, "a": 200, "b": 404, "instructor": 404},
    ),
    Rule(
        "POST",
        "exams/attempts/<int:attempt_id>/finish/",
        lambda w: f"/exams/attempts/{w.attempt_a.pk}/finish/",
        {"anon": LOGIN, "a": 302, "b": 404, "instructor": 404},
        lambda w: {},
        form=True,
    ),
    Rule(
        "GET",
        "dashboard/",
        lambda w: "/dashboard/",
        {"anon": LOGIN, "a": 200, "b": 200, "instructor": 200},
    ),
    # Similarity checks compare students' code: a course's staff only, even for the students in
    # a pair; course A's instructor sees nothing of course B's checks and starts none for it.
    Rule("GET", "similarity/", similarity_list, instructor_page()),
    Rule(
        "POST",
        "similarity/runs/",
        lambda w: "/similarity/runs/",
        {"anon": LOGIN, "a": 404, "b": 404, "instructor": 302},
        lambda w: {"exercise": w.exercise.slug, "course": course_rules.course_world(w).course.pk},
        form=True,
    ),
    Rule(
        "POST",
        "similarity/runs/",
        lambda w: "/similarity/runs/",
        {"anon": LOGIN, "a": 404, "b": 404, "instructor": 404},
        lambda w: {"exercise": w.exercise.slug, "course": course_rules.course_world(w).other.pk},
        form=True,
    ),
    Rule(
        "GET",
        "similarity/runs/<int:run_id>/",
        lambda w: f"/similarity/runs/{similarity_pair(w).run_id}/",
        instructor_page(),
    ),
    Rule(
        "GET",
        "similarity/runs/<int:run_id>/",
        lambda w: f"/similarity/runs/{similarity_pair(w, course='b').run_id}/",
        instructor_page(404),
    ),
    Rule(
        "GET",
        "similarity/pairs/<int:pair_id>/",
        lambda w: f"/similarity/pairs/{similarity_pair(w).pk}/",
        instructor_page(),
    ),
    Rule(
        "GET",
        "similarity/pairs/<int:pair_id>/",
        lambda w: f"/similarity/pairs/{similarity_pair(w, course='b').pk}/",
        instructor_page(404),
    ),
    # LTI: the platform is the caller; the tool's public keys are public, a login or launch
    # without the platform's verified parameters is refused for anyone (tests/lti/).
    Rule("GET", "lti/jwks/", lambda w: "/lti/jwks/", same(200)),
    Rule(
        "GET",
        "lti/init/<uuid:registration_uuid>/",
        lambda w: "/lti/init/8c1f0b7e-55a4-4a0e-9a53-4f9d8fd1e0a1/",
        same(400),
    ),
    Rule("POST", "lti/launch/", lambda w: "/lti/launch/", same(400), lambda w: {}, form=True),
]


def staff_only(status: object = 200) -> dict[str, object]:
    return {"anon": ADMIN_LOGIN, "a": ADMIN_LOGIN, "b": ADMIN_LOGIN, "instructor": status}


ADMIN_RULES = [
    Rule("GET", "admin/", lambda w: "/admin/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/coding/submission/", staff_only()),
    Rule(
        "GET",
        "admin/",
        lambda w: f"/admin/coding/submission/{w.submission_a.pk}/change/",
        staff_only(),
    ),
    Rule("GET", "admin/", lambda w: "/admin/coding/exercise/", staff_only()),
    Rule(
        "GET", "admin/", lambda w: f"/admin/coding/exercise/{w.exercise.pk}/change/", staff_only()
    ),
    Rule("GET", "admin/", lambda w: "/admin/coding/exercise/grades.csv", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/content/card/", staff_only()),
    Rule("GET", "admin/", lambda w: f"/admin/content/card/{w.card.pk}/change/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/content/topic/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/quiz/question/", staff_only()),
    Rule("GET", "admin/", lambda w: f"/admin/quiz/question/{w.question.pk}/change/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/quiz/exam/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/quiz/examattempt/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/quiz/reviewstate/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/quiz/reviewlog/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/coding/regradejob/", staff_only()),
    # The audit log and the login lockouts: instructors read them (and unlock a student).
    Rule("GET", "admin/", lambda w: "/admin/ops/auditentry/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/ops/auditentry/add/", staff_only(403)),
    Rule("GET", "admin/", lambda w: "/admin/axes/accessattempt/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/axes/accesslog/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/similarity/similarityrun/", staff_only()),
    Rule(
        "GET",
        "admin/",
        lambda w: f"/admin/similarity/similarityrun/{similarity_pair(w).run_id}/change/",
        staff_only(),
    ),
    # Another course's check is not in the admin either (its change page sends back to the index).
    Rule(
        "GET",
        "admin/",
        lambda w: (
            f"/admin/similarity/similarityrun/{similarity_pair(w, course='b').run_id}/change/"
        ),
        staff_only(302),
    ),
    Rule("GET", "admin/", lambda w: "/admin/similarity/similarityrun/add/", staff_only(403)),
    Rule("GET", "admin/", lambda w: "/admin/lti_tool/ltiregistration/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/lti_tool/ltiregistration/add/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/dlquiz_lti/courselink/", staff_only()),
    Rule("GET", "admin/", lambda w: "/admin/dlquiz_lti/gradesend/", staff_only()),
    # Instructors administer content, not accounts.
    Rule("GET", "admin/", lambda w: "/admin/auth/user/", staff_only(403)),
    Rule("GET", "admin/", lambda w: f"/admin/auth/user/{w.student_a.pk}/change/", staff_only(403)),
    Rule("GET", "admin/", lambda w: "/admin/auth/group/", staff_only(403)),
    Rule("GET", "admin/", lambda w: "/admin/authtoken/tokenproxy/", staff_only(403)),
]

# Courses: a student of course A, a student of course B only, course A's instructor.
API_RULES += course_rules.api_rules(Rule)
WEB_RULES += course_rules.web_rules(Rule)

# Routes outside the matrix on purpose, with the reason.
NOT_IN_MATRIX = {
    "healthz": "no user data; reports reachability only (tests/integration/test_health.py)",
    "metrics": "by address or bearer token, not by user: loopback or DLQUIZ_METRICS_TOKEN "
    "(tests/ops/test_metrics.py)",
    "accounts/logout/": "POST only; covered by the CSRF tests below",
    "i18n/setlang/": "language switch; covered by the CSRF tests below",
}


def user_for(world: World, role: str):
    return {
        "anon": None,
        "a": world.student_a,
        "b": world.student_b,
        "instructor": world.instructor,
    }[role]


def call(client, rule: Rule, world: World):
    method = getattr(client, rule.method.lower())
    url = rule.url(world)
    if rule.body is None:
        return method(url)
    if rule.form:
        return method(url, data=rule.body(world))
    return method(url, data=json.dumps(rule.body(world)), content_type="application/json")


def check_expectation(response, expected: object, where: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith("/accounts/login/"), where
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith("/admin/login/"), where
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}"
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        assert "detail" in response.json() or response.json(), where


def route_key(route: str) -> str:
    """`<int:pk>`, `<str:pk>` and `<pk>` are the same route for the matrix."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", route)


def all_routes() -> set[str]:
    routes: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if text.startswith("admin/"):
                    routes.add("admin/")
                    continue
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                routes.add(text)

    walk(get_resolver().url_patterns, "")
    return routes


def test_matrix_covers_every_route():
    """Every route of the project has at least one row in the matrix (or a stated reason not
    to), so a new endpoint cannot ship without deciding who may use it."""
    covered = {rule.route for rule in API_RULES + WEB_RULES + ADMIN_RULES} | set(NOT_IN_MATRIX)
    missing = sorted({route_key(r) for r in all_routes()} - {route_key(r) for r in covered})
    assert not missing, f"routes without an access rule: {missing}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "rule",
    API_RULES,
    ids=[f"{r.method} {r.route} #{i}" for i, r in enumerate(API_RULES)],
)
def test_api_access(world: World, rule: Rule, role: str):
    """Each API route answers each role as the matrix says (token authentication)."""
    response = call(token_client(user_for(world, role)), rule, world)
    check_expectation(response, rule.expect[role], f"{rule.method} {rule.url(world)} as {role}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "rule",
    WEB_RULES + ADMIN_RULES,
    ids=[f"{r.method} {r.route} #{i}" for i, r in enumerate(WEB_RULES + ADMIN_RULES)],
)
def test_web_access(world: World, rule: Rule, role: str):
    """Each page answers each role as the matrix says (session authentication)."""
    response = call(session_client(user_for(world, role)), rule, world)
    check_expectation(response, rule.expect[role], f"{rule.method} {rule.url(world)} as {role}")


def test_student_api_lists_show_only_what_the_student_may_see(world: World):
    """A student's exercise list omits unpublished exercises and their submission list holds
    only their own submissions; an instructor's exercise list has every exercise."""
    a = token_client(world.student_a)
    slugs = {row["slug"] for row in a.get("/api/exercises/").json()}
    assert "softmax" in slugs and world.unpublished.slug not in slugs
    ids = {row["id"] for row in rows(a.get("/api/submissions/").json())}
    assert ids == {world.submission_a.pk}
    staff = {row["slug"] for row in token_client(world.instructor).get("/api/exercises/").json()}
    assert world.unpublished.slug in staff
    cards = {row["id"] for row in rows(token_client(None).get("/api/cards/").json())}
    assert world.card.pk in cards and world.hidden_card.pk not in cards


def rows(payload):
    return payload["results"] if isinstance(payload, dict) else payload


def reference_lines() -> list[str]:
    """Distinctive lines of every model solution (absent from the starter code)."""
    lines = []
    for exercise in exercise_list():
        package = exercise_package_dir(exercise)
        starters = "".join(p.read_text() for p in package.glob("starter_*.py"))
        for solution in package.glob("solution_*.py"):
            for line in solution.read_text().splitlines():
                line = line.strip()
                ignored = line.startswith(("import", "from", "def ", '"""', "#"))
                if len(line) > 25 and not ignored and line not in starters:
                    lines.append(line)
    assert lines, "no model solution found to look for"
    return lines


def exercise_package_dir(exercise):
    import importlib
    from pathlib import Path

    return Path(importlib.import_module(type(exercise).__module__).__file__).parent


def student_visible_texts(world: World, role: str) -> list[tuple[str, str]]:
    """Every successful GET of the matrix, as this student sees it: (url, body text)."""
    texts = []
    user = user_for(world, role)
    for rule in API_RULES:
        if rule.method == "GET":
            response = call(token_client(user), rule, world)
            if response.status_code == 200:
                texts.append((rule.url(world), response.content.decode()))
    for rule in WEB_RULES + ADMIN_RULES:
        if rule.method == "GET":
            response = call(session_client(user), rule, world)
            if response.status_code == 200:
                texts.append((rule.url(world), response.content.decode()))
    return texts


def test_hidden_test_messages_and_references_never_reach_a_student(world: World):
    """Scanning every API response and page a student can open: no hidden-test message (their
    own included), no other student's code, no line of a reference solution."""
    references = reference_lines()
    for role in ("a", "b"):
        texts = student_visible_texts(world, role)
        assert len(texts) > 15
        for url, text in texts:
            for secret in world.hidden_secrets:
                assert secret not in text, f"hidden-test message on {url} for student {role}"
            assert world.explanation_secret not in text, f"exam explanation early on {url}"
            for line in references:
                assert line not in text, f"reference solution line {line!r} on {url}"
            other = "bob-private-marker-5d1c" if role == "a" else "alice-private-marker-7e2a"
            assert other not in text, f"another student's code on {url} for {role}"


def test_exam_answers_stay_hidden_until_the_attempt_is_graded(world: World):
    """While an attempt is in progress its items carry no expected answer or explanation; once
    graded, its owner sees them (and nobody else sees the attempt at all)."""
    a = token_client(world.student_a)
    url = f"/api/exams/attempts/{world.attempt_a.pk}/"
    items = a.get(url).json()["items"]
    assert items and not {"expected", "explanation"} & {k for i in items for k in i}
    assert all(item.get("is_correct") is None for item in items)
    assert world.explanation_secret not in a.get(url).content.decode()
    finished = a.post(f"{url}finish/", {}, format="json")
    assert finished.status_code == 200
    assert world.explanation_secret in finished.content.decode()
    assert token_client(world.student_b).get(url).status_code == 404


def test_instructors_do_see_hidden_test_messages(world: World):
    """The scan above is meaningful: the same messages are there for an instructor, in the API
    and in the admin."""
    api = token_client(world.instructor).get(f"/api/submissions/{world.submission_a.pk}/")
    assert world.hidden_secrets[0] in api.content.decode()
    page = session_client(world.instructor).get(
        f"/admin/coding/submission/{world.submission_a.pk}/change/"
    )
    assert world.hidden_secrets[0] in page.content.decode()


def test_hidden_tests_show_name_status_and_score_only(world: World):
    """For a hidden test a student gets its name, status and score; its message and time are
    empty."""
    body = token_client(world.student_a).get(f"/api/submissions/{world.submission_a.pk}/").json()
    hidden = [t for t in body["tests"] if t["hidden"]]
    assert [t["name"] for t in hidden] == ["stable for large logits", "negative dim"]
    assert [t["status"] for t in hidden] == ["wrong_answer", "passed"]
    assert all(t["message"] == "" for t in hidden)
    assert all(t["time_ms"] is None for t in hidden)  # no timing channel out of a hidden test
    assert not {"inputs", "expected", "reference"} & {key for t in hidden for key in t}


# --- CSRF on session-authenticated writes ------------------------------------------------------


def csrf_token(client) -> str:
    client.get("/accounts/login/")
    return client.cookies["csrftoken"].value


def test_session_submission_without_csrf_token_is_refused(world: World):
    """A logged-in browser session cannot be made to submit by another site: no CSRF token,
    403 and nothing recorded; with the token the same request is accepted."""
    from dlquiz.coding.models import Submission

    client = session_client(world.student_a, enforce_csrf=True)
    before = Submission.objects.count()
    payload = json.dumps(submit_body(world))
    refused = client.post("/api/submissions/", data=payload, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert Submission.objects.count() == before
    accepted = client.post(
        "/api/submissions/",
        data=payload,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf_token(client),
    )
    assert accepted.status_code == 201
    assert Submission.objects.count() == before + 1


def test_session_run_samples_without_csrf_token_is_refused(world: World):
    client = session_client(world.student_a, enforce_csrf=True)
    response = client.post(
        "/api/submissions/run-samples/",
        data=json.dumps(submit_body(world)),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_token_authenticated_writes_need_no_csrf_token(world: World):
    """Scripts authenticate with a token, which a browser never sends on its own."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    token, _ = Token.objects.get_or_create(user=world.student_a)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/submissions/", submit_body(world), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "url, data",
    [
        ("/accounts/login/", {"username": "alice", "password": "x"}),
        ("/accounts/logout/", {}),
        ("/accounts/signup/", {"username": "eve", "password1": "x", "password2": "x"}),
        ("/i18n/setlang/", {"language": "en"}),
    ],
)
def test_account_forms_refuse_posts_without_csrf_token(world: World, url: str, data: dict):
    client = session_client(
        world.student_a if url == "/accounts/logout/" else None, enforce_csrf=True
    )
    assert client.post(url, data).status_code == 403


def test_admin_change_without_csrf_token_is_refused(world: World):
    """An instructor's admin session cannot be used by another site to change an exercise."""
    client = session_client(world.instructor, enforce_csrf=True)
    url = f"/admin/coding/exercise/{world.exercise.pk}/change/"
    response = client.post(
        url, {"max_score": "0", "is_published": "", "time_limit_multiplier": "1"}
    )
    assert response.status_code == 403
    world.exercise.refresh_from_db()
    assert world.exercise.max_score != 0 and world.exercise.is_published


def test_admin_actions_without_csrf_token_are_refused(world: World):
    client = session_client(world.instructor, enforce_csrf=True)
    response = client.post(
        "/admin/coding/exercise/",
        {"action": "unpublish", "_selected_action": [world.exercise.pk]},
    )
    assert response.status_code == 403
    world.exercise.refresh_from_db()
    assert world.exercise.is_published
