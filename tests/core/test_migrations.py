"""The models and the migrations agree: `makemigrations --check` finds nothing to write (a
verbose name or choice label changed without its migration would fail here)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_makemigrations_reports_no_changes():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()
