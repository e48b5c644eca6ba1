"""The courses app speaks Chinese and English: its catalog is complete and compiled, its pages
follow the chosen language, and the Chinese admin names its models in Chinese."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from tests.coding.factories import PASSWORD, student_create, teacher_create
from tests.coding.test_locale import PLACEHOLDER, po_entries
from tests.courses.factories import course_create

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "dlquiz/courses/locale/zh_Hans/LC_MESSAGES"


def test_every_message_is_translated_and_compiled():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 200
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for _context, msgid, msgstr in entries:
        assert msgstr, msgid
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid
        if "%" not in msgid:
            assert compiled.gettext(msgid) == msgstr, msgid


def test_every_model_and_field_has_a_chinese_name():
    """No English model or field name shows in the Chinese admin or forms of the app."""
    with translation.override("zh-hans"):
        for model in apps.get_app_config("courses").get_models():
            names = [model._meta.verbose_name, model._meta.verbose_name_plural]
            names += [
                f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")
            ]
            for name in names:
                text = str(name)
                if text in ("ID", "id"):
                    continue
                assert not text.isascii(), f"{model.__name__}: {text!r}"


@pytest.mark.django_db
def test_pages_follow_the_language():
    course = course_create(instructor=teacher_create())
    lin = student_create()
    for language, word in (("zh-hans", "加入课程"), ("en", "Join a course")):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.login(username=lin.username, password=PASSWORD)
        assert word in client.get("/courses/").content.decode()
    assert course.title


@pytest.mark.django_db
def test_the_chinese_admin_lists_the_app_in_chinese():
    prof = teacher_create()
    course_create(instructor=prof)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.login(username=prof.username, password=PASSWORD)
    page = client.get("/admin/").content.decode()
    assert "课程" in page and "成绩调整" in page
    for english in ("Grade overrides", "Assignments", "Grade history"):
        assert english not in page
    listing = client.get("/admin/courses/course/")
    assert listing.status_code == 200 and "dl-2026" in listing.content.decode()
