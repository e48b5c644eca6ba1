"""Static files: `collectstatic` succeeds under production settings (DEBUG off, the manifest
storage), and the vendored KaTeX css resolves every font it names to a collected file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KATEX_CSS = "vendor/katex/katex.min.css"
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")

# STATIC_ROOT is not read from the environment, so the child process points it at the test's
# directory after settings are loaded and before the storage is first used.
COLLECT = """
import sys
import django
from django.conf import settings

django.setup()
settings.STATIC_ROOT = sys.argv[1]
from django.core.management import call_command

call_command("collectstatic", "--noinput", verbosity=0)
from django.contrib.staticfiles.storage import staticfiles_storage

print(type(staticfiles_storage._wrapped).__name__)
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    static_root = tmp_path_factory.mktemp("staticfiles")
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "dlquiz.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k" * 20 + "Zx9!q@W#e$R%t^Y&u*I(o)P_a+S-d=F" + "m" * 20,
    }
    result = subprocess.run(
        [sys.executable, "-c", COLLECT, str(static_root)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "CompressedManifestStaticFilesStorage", result.stdout
    return static_root


def manifest_paths(static_root: Path) -> dict[str, str]:
    return json.loads((static_root / "staticfiles.json").read_text())["paths"]


def test_collectstatic_succeeds_with_the_production_manifest_storage(collected: Path):
    """Every static file gets a hashed name in the manifest, the KaTeX css among them."""
    paths = manifest_paths(collected)
    assert KATEX_CSS in paths
    assert (collected / paths[KATEX_CSS]).is_file()


def test_katex_css_resolves_every_font_to_a_collected_file(collected: Path):
    """The hashed KaTeX css names only hashed fonts, each present in STATIC_ROOT, so a page in
    production never asks for a font that is not served."""
    paths = manifest_paths(collected)
    css_path = collected / paths[KATEX_CSS]
    urls = CSS_URL.findall(css_path.read_text())
    assert len(urls) >= 20  # one per KaTeX font family and style
    hashed_fonts = {paths[name] for name in paths if name.startswith("vendor/katex/fonts/")}
    for url in urls:
        target = (css_path.parent / url).resolve()
        assert target.is_file(), url
        assert target.relative_to(collected.resolve()).as_posix() in hashed_fonts, url
