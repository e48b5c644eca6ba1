"""The admin in Chinese: an instructor working in zh-hans sees no English model or field name.

A superuser with the language set to zh-hans visits the admin index and, for every registered
model, its list, its add form and the change form of one row. On each page the text a person
reads as the admin's own wording (page title, app and model names, column headers, filter
titles, action names, fieldset and inline titles, field labels, help texts, object tools) must
carry no English word: an untranslated string renders the same in both languages, so an English
word left there means a missing translation. Rows' own data (slugs, usernames, code) is not
checked. Words a Chinese reader sees in English anyway (LTI, URL, CSV, Markdown …) are allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import models
from django.test import Client
from django.utils import timezone, translation
from lti_tool.models import (
    LtiContext,
    LtiDeployment,
    LtiRegistration,
    LtiResourceLink,
)
from rest_framework.authtoken.models import Token

from dlquiz.coding.models import ExerciseHint, GradedTest, RegradeJob, Submission
from dlquiz.content.models import Card, Topic
from dlquiz.courses import services as course_services
from dlquiz.courses.models import GradeHistory
from dlquiz.lti.models import CourseLink, GradeSend, ResourceLinkTarget
from dlquiz.ops.models import AuditEntry
from dlquiz.quiz.models import ExamAttempt, ExamQuestion, Question, ReviewLog, ReviewState
from dlquiz.similarity import services as similarity_services
from dlquiz.similarity.models import SimilarityRun
from tests.coding.factories import (
    PASSWORD,
    exercise_create,
    graded_submission_create,
    student_create,
)
from tests.courses.factories import assignment_create, course_create, exam_create, member_add
from tests.similarity.factories import DISGUISED, ORIGINAL, attention_exercise, final_submit

pytestmark = pytest.mark.django_db

# Names and codes a Chinese reader sees in English anyway.
ALLOWED_WORDS = {
    "API",
    "CSV",
    "FSRS",
    "GET",
    "HTTP",
    "POST",
    "GUID",
    "HTML",
    "ID",
    "IP",
    "JSON",
    "JWK",
    "JWKS",
    "JWKs",
    "LMS",
    "LTI",
    "Markdown",
    "NumPy",
    "PNS",
    # Key names in Django's own help text for multiple selects ("Control", "Command" on a Mac)
    # and the directory protocol it names.
    "Command",
    "Control",
    "LDAP",
    "Mac",
    "Python",
    "PyTorch",
    # "签发者（issuer）": the LTI specification's term, which LMS settings pages show.
    "issuer",
    "URL",
    "UUID",
    "numpy",
    "python",
    "Slug",
    "slug",
    "torch",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
# Literals quoted in a help text and tokens with a digit or an underscore are code, not wording:
# {"choice": 1}, dl-2026, load_content.
CODE = re.compile(r"\"[^\"]*\"|\S*[\d_]\S*")


def english_words(text: str) -> list[str]:
    """English words left in a text; single letters (submission A and B) are names."""
    return [
        word
        for word in WORD.findall(CODE.sub(" ", text))
        if word not in ALLOWED_WORDS and len(word) > 1
    ]


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    kind: str | None  # what this element's text is, when it is admin wording
    text: list[str] = field(default_factory=list)


class AdminWording(HTMLParser):
    """Collects (kind, text) of the elements whose text is the admin's own wording."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.found: list[tuple[str, str]] = []

    def _inside(self, predicate) -> bool:
        return any(predicate(element) for element in self.stack)

    def _classes(self, attrs: dict[str, str]) -> set[str]:
        return set(attrs.get("class", "").split())

    def _kind(self, tag: str, attrs: dict[str, str]) -> str | None:
        if self._inside(lambda e: e.attrs.get("id") in {"content-related", "nav-sidebar"}):
            return None  # recent actions (object names) and the sidebar (the index again)
        if tag == "option" and self._inside(
            lambda e: e.tag == "select" and e.attrs.get("name") == "action"
        ):
            return "action"
        if self._inside(lambda e: e.kind is not None):
            return None  # part of an element already collected
        classes = self._classes(attrs)
        in_main = self._inside(lambda e: e.attrs.get("id") in {"content-main", "content"})
        if tag == "h1":
            return "title"
        if tag == "caption":
            return "app name"
        if tag == "th":
            # A list row's first cell is a <th class="field-…"> holding the row's own data.
            if any(c.startswith("field-") for c in classes):
                return None
            return "column or model name"
        if tag in {"h2", "h3", "summary"} and self._inside(
            lambda e: e.attrs.get("id") == "content-main"
        ):
            return "heading"
        if tag == "label":
            return "label"
        if "help" in classes:
            return "help text"
        if tag == "a" and self._inside(lambda e: "object-tools" in self._classes(e.attrs)):
            return "object tool"
        if tag == "p" and "paginator" in classes and in_main:
            return "paginator"
        return None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = {k: v or "" for k, v in attrs}
        if tag in self.VOID:
            return
        # A stacked inline's object name is data.
        kind = "skip" if "inline_label" in self._classes(attrs) else self._kind(tag, attrs)
        self.stack.append(_Open(tag, attrs, kind))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self.stack:
            element = self.stack.pop()
            if element.kind not in (None, "skip"):
                text = " ".join("".join(element.text).split())
                if text:
                    self.found.append((element.kind, text))
            elif self.stack and element.kind is None:
                pass
            if element.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in reversed(self.stack):
            if element.kind == "skip":
                return
            if element.kind is not None:
                element.text.append(data)
                return


def page_wording(html: str) -> list[tuple[str, str]]:
    parser = AdminWording()
    parser.feed(html)
    parser.close()
    return parser.found


def admin_rows_create() -> User:
    """At least one row of every model the admin shows, built the way the product builds them."""
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    Group.objects.create(name="助教")
    Token.objects.create(user=root)
    now = timezone.now()
    AccessAttempt.objects.create(
        username="lin", ip_address="10.0.0.1", user_agent="browser", failures_since_start=2
    )
    AccessLog.objects.create(username="lin", ip_address="10.0.0.1", user_agent="browser")
    AccessFailureLog.objects.create(username="lin", ip_address="10.0.0.1", user_agent="browser")

    topic = Topic.objects.create(slug="cnn", name_zh="卷积", name_en="CNN")
    card = Card.objects.create(topic=topic, question="什么是卷积？", answer="答案", key="card-1")

    exercise = exercise_create("softmax")
    ExerciseHint.objects.create(exercise=exercise, text="先减去最大值", text_en="Subtract max")
    lin = student_create("lin")
    submission = graded_submission_create(
        user=lin, exercise=exercise, tests=[("small", False, "wrong_answer", 0, 10, "off")]
    )
    job = RegradeJob.objects.create(created_by=root, exercise=exercise, description="一次重评")
    job.submissions.add(submission)

    question = Question.objects.create(
        key="q-1", topic=topic, kind="single", prompt="哪一个？", choices=["甲", "乙"]
    )
    question.answer = {"choice": 1}
    question.save()
    exam = exam_create([question])
    ExamAttempt.objects.create(
        user=lin, exam=exam, time_limit_minutes=30, started_at=now, deadline=now
    )
    ReviewState.objects.create(user=lin, card=card, fsrs_card={}, due=now, introduced_at=now)
    ReviewLog.objects.create(user=lin, card=card, rating=3, reviewed_at=now)

    course = course_create(instructor=None)
    wang = member_add(course, "wang")
    assignment = assignment_create(course, exercises=[exercise])
    item = assignment.items.first()
    instructor = course.enrollments.get(role="instructor").user
    course_services.extension_grant(
        assignment=assignment,
        actor=instructor,
        user=wang,
        due_at=now + timedelta(days=9),
    )
    course_services.grade_override_set(
        item=item, actor=instructor, user=wang, score=5, comment="好"
    )
    assert GradeHistory.objects.exists()

    copied = attention_exercise()
    final_submit(user=lin, exercise=copied, code=ORIGINAL)
    final_submit(user=student_create("mei"), exercise=copied, code=DISGUISED)
    run = SimilarityRun.objects.create(exercise=copied)
    similarity_services.similarity_run_execute(run_id=run.pk)

    registration = LtiRegistration.objects.create(
        name="Moodle",
        issuer="https://lms.example.com",
        client_id="client",
        auth_url="https://lms.example.com/auth",
        token_url="https://lms.example.com/token",
        keyset_url="https://lms.example.com/jwks",
    )
    deployment = LtiDeployment.objects.create(registration=registration, deployment_id="d1")
    context = LtiContext.objects.create(deployment=deployment, id_on_platform="c1")
    link = LtiResourceLink.objects.create(context=context, id_on_platform="r1")
    CourseLink.objects.create(context=context, course=course)
    target = ResourceLinkTarget.objects.create(resource_link=link, assignment=assignment)
    GradeSend.objects.create(
        target=target, user=lin, score_given=5, score_maximum=10, status="sent"
    )
    AuditEntry.objects.get_or_create(
        action=AuditEntry.Action.REGRADE,
        defaults={"target_type": "coding.regradejob", "target_id": "1", "target_repr": "#1"},
    )
    return root


def admin_pages(client: Client) -> list[str]:
    pages = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        pages.append(base)
        if model_admin.has_add_permission(_request_for(client)):
            pages.append(base + "add/")
        row = model_admin.get_queryset(_request_for(client)).first()
        assert row is not None, f"no {opts.label} row to open: add one in admin_rows_create()"
        pages.append(f"{base}{row.pk}/change/")
    return pages


def _request_for(client: Client):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="root")
    return request


def logged_in(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    assert client.login(username="root", password=PASSWORD)
    return client


def wording_problems(client: Client, urls: list[str], find) -> list[str]:
    problems = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for kind, text in page_wording(response.content.decode()):
            found = find(text)
            if found:
                problems.append(f"{url} {kind}: {text!r} ({', '.join(found)})")
    return list(dict.fromkeys(problems))


# Pages of the admin beyond the standard ones.
EXTRA_PAGES = ["/admin/quiz/question/statistics/"]


def test_the_chinese_admin_has_no_english_wording():
    admin_rows_create()
    client = logged_in("zh-hans")
    problems = wording_problems(client, admin_pages(client) + EXTRA_PAGES, english_words)
    assert not problems, "English wording in the Chinese admin:\n" + "\n".join(problems)


CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]+")


def test_the_english_admin_has_no_chinese_wording():
    """The same pages in English: every label the Chinese pages translate has its English."""
    admin_rows_create()
    client = logged_in("en")
    problems = wording_problems(client, admin_pages(client) + EXTRA_PAGES, CJK.findall)
    assert not problems, "Chinese wording in the English admin:\n" + "\n".join(problems)


def test_every_choice_label_is_translated():
    """Choice labels show in list columns, filters and selects: each has a Chinese wording."""
    problems = []
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    for model in [*admin.site._registry, *inline_models]:
        for model_field in model._meta.get_fields():
            if not isinstance(model_field, models.Field) or not model_field.choices:
                continue
            for value, label in model_field.flatchoices:
                with translation.override("zh-hans"):
                    words = english_words(str(label))
                if words:
                    problems.append(f"{model._meta.label}.{model_field.name} {value!r}: {label}")
    assert not problems, "\n".join(problems)


def test_rows_without_a_name_of_their_own_are_named_in_both_languages():
    """The admin titles a change page, an inline row and the recent actions with the row's
    name; rows named by their number are worded in the reader's language."""
    admin_rows_create()
    for model in (
        Submission,
        GradedTest,
        ExerciseHint,
        RegradeJob,
        ExamQuestion,
        ExamAttempt,
        ReviewState,
        ReviewLog,
    ):
        row = model.objects.first()
        with translation.override("zh-hans"):
            assert not english_words(str(row)), (model.__name__, str(row))
        with translation.override("en"):
            assert not CJK.findall(str(row).replace(getattr(row, "description", "") or "", "")), (
                model.__name__,
                str(row),
            )
