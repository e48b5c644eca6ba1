"""Markdown rendering: math left for KaTeX, code highlighted, HTML sanitised, images offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dlquiz.content.parsing import note_parse_file
from dlquiz.content.rendering import markdown_render

NOTES = Path(__file__).resolve().parents[2] / "fixtures" / "notes"
TEX_COMMAND = re.compile(r"\\(frac|begin|end|text|sigma|sqrt|hat|tanh|sum|left|right|cdot)\b")


def visible_text_outside_math(html: str) -> str:
    """What a reader sees that is neither math (KaTeX renders it) nor code."""
    html = re.sub(r'<(span|div) class="math [a-z]+">.*?</\1>', " ", html, flags=re.S)
    html = re.sub(r"<pre.*?</pre>", " ", html, flags=re.S)
    html = re.sub(r"<code.*?</code>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture(scope="module")
def rendered() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(NOTES.glob("*.txt")):
        for c in note_parse_file(path=path).cards:
            out.append((path.name, c.question, markdown_render(c.answer)))
    return out


def test_no_raw_latex_outside_math_elements_in_any_card(rendered):
    """Every $…$, $$…$$ and bare TeX command of every note ends up inside a math element."""
    leaks = []
    for name, question, html in rendered:
        text = visible_text_outside_math(html)
        if "$" in text or TEX_COMMAND.search(text):
            leaks.append((name, question))
    assert leaks == []


def test_no_image_tags_in_any_card(rendered):
    assert not [q for _, q, html in rendered if "<img" in html]


def test_inline_and_display_math():
    html = markdown_render("a $x^2$ b\n\n$$\\frac{1}{2}$$\n\nc $$y$$ d")
    assert '<span class="math inline">x^2</span>' in html
    assert '<div class="math display">' in html
    assert '<span class="math display">y</span>' in html


def test_math_source_is_escaped_not_interpreted():
    html = markdown_render(r"$$L = \begin{cases} 1, & a < b \\ 0 \end{cases}$$")
    assert r"\begin{cases} 1, &amp; a &lt; b \\ 0 \end{cases}" in html


def test_multiline_aligned_block_stays_one_math_element():
    src = "$$\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}$$"
    html = markdown_render(src)
    assert html.count('class="math') == 1
    assert "\\begin{aligned}" in html and "<br" not in html


def test_bare_tex_in_prose_becomes_math():
    html = markdown_render("预测值 \\hat{y} 与 h_{t-1} 的关系")
    assert '<span class="math inline">\\hat{y}</span>' in html
    assert '<span class="math inline">h_{t-1}</span>' in html


def test_code_blocks_are_highlighted_on_the_server():
    html = markdown_render("```python\nimport torch\nx = torch.ones(1)\n```")
    assert '<pre class="highlight"><code class="language-python">' in html
    assert '<span class="kn">import</span>' in html


def test_dollars_inside_code_are_not_math():
    html = markdown_render("`echo $HOME`\n\n```\nprice = $5 and $6\n```")
    assert 'class="math' not in html


def test_remote_image_becomes_a_link_with_its_alt_text():
    html = markdown_render("![损失曲线](https://example.org/a.png)")
    assert "<img" not in html
    assert 'href="https://example.org/a.png"' in html and "损失曲线" in html


def test_html_image_tag_becomes_a_link_and_local_images_a_label():
    html = markdown_render(
        '<center><img src="https://example.org/b.jpg" alt="结构图" style="zoom:40%;"/></center>'
        "\n\n![激活函数](D:\\notes\\img\\relu.png)"
    )
    assert "<img" not in html
    assert 'href="https://example.org/b.jpg"' in html
    assert "激活函数" in html and "D:\\notes" not in html


def test_dangerous_html_is_removed():
    html = markdown_render(
        '<script>alert(1)</script><p onclick="x()">hi</p>\n\n[x](javascript:alert(1))'
    )
    assert "<script" not in html and "onclick" not in html and 'href="javascript' not in html


def test_tables_render_as_tables():
    html = markdown_render("| a | b |\n|---|---|\n| $x$ | 2 |")
    assert "<table>" in html and '<span class="math inline">x</span>' in html


def test_tables_scroll_in_their_own_focusable_container_without_an_empty_header():
    """A wide table scrolls inside its container (reachable by keyboard), not the page; a
    header row with no text is not rendered."""
    html = markdown_render("|  |  |\n|---|---|\n| Sigmoid | 1. a<br>2. b |\n")
    assert html.startswith('<div class="table-wrap" tabindex="0"><table>')
    assert html.rstrip().endswith("</table></div>")
    assert "<thead>" not in html
    assert "1. a<br>2. b" in html
