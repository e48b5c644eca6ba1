"""The Chinese catalogs of the exercise, exam-prep and account pages are complete and compiled:
every message has a translation and the committed .mo says what the .po says."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("coding", "quiz", "accounts")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].replace('\\"', '"').replace("\\\\", "\\")


def po_entries(path: Path) -> list[tuple[str | None, str, str]]:
    """(context, msgid, msgstr) of each message; the first plural form stands for a plural."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[0\])?|msgstr\[\d\]) ", line)
            if match:
                current = match.group(1)
                fields[current] = _unquote(line)
            elif line.startswith('"') and current:
                fields[current] += _unquote(line)
        if fields.get("msgid"):
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            entries.append((fields.get("msgctxt"), fields["msgid"], msgstr))
    return entries


@pytest.mark.parametrize("app", APPS)
def test_every_message_is_translated_with_the_same_placeholders(app):
    entries = po_entries(ROOT / "dlquiz" / app / "locale/zh_Hans/LC_MESSAGES/django.po")
    assert entries
    for context, msgid, msgstr in entries:
        assert msgstr, (context, msgid)
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalog_matches_the_po_file(app):
    """The .mo is committed (as for the content app); a .po edited without compiling fails."""
    folder = ROOT / "dlquiz" / app / "locale/zh_Hans/LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    for context, msgid, msgstr in po_entries(folder / "django.po"):
        compiled = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        assert compiled == msgstr, msgid


def test_every_status_and_verdict_code_has_a_translated_label():
    """The pages label each code of the one vocabulary (grader.status) and of the submission
    status; a code added there without a label here would show bare on a Chinese page."""
    from django.utils import translation

    from dlquiz.coding.models import Submission
    from dlquiz.coding.templatetags.coding_tags import CODE_LABELS, code_label
    from grader.status import TEST_STATUSES, VERDICTS

    codes = {*TEST_STATUSES, *VERDICTS, *Submission.Status.values}
    assert codes <= set(CODE_LABELS)
    with translation.override("zh-hans"):
        assert all(code_label(code) for code in codes)
