"""Markdown → sanitised HTML for card answers (and any other Markdown the site shows).

Math is left as ``<span class="math inline">`` / ``<span class="math display">`` elements with
the TeX source escaped inside; KaTeX (vendored under static/vendor/katex) renders them in the
browser. Code blocks are highlighted by Pygments on the server. Images from the notes cannot be
loaded offline, so a remote image becomes a link labelled with its alt text and a local one a
plain label.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "span",
    "div",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "del",
    "s",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "ol": {"start"},
}
PYGMENTS_STYLE = "friendly"

_formatter = HtmlFormatter(nowrap=True, style=PYGMENTS_STYLE)
_HTML_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_LAYOUT_TAG_RE = re.compile(r"</?(?:center|font|div)\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_INLINE_DISPLAY_RE = re.compile(r'<div class="math inline">(.*?)</div>', re.DOTALL)
_BLOCK_MATH_RE = re.compile(r'<div class="math block">(.*?)</div>', re.DOTALL)
_EQ_LABEL_RE = re.compile(r'<div id="[^"]*" class="math block">')

# Bare TeX written outside $…$ in the notes (``\hat{y}``, ``h_{t-1}``, ``W^Q``).
_BARE_TEX_RE = re.compile(
    r"(?<![\w\\$])("
    r"\\[a-zA-Z]+(?:\{[^{}$\n]*\})+(?:[_^](?:\{[^{}$\n]*\}|[A-Za-z0-9]))*"
    r"|[A-Za-z]{1,2}(?:_\{[^{}$\n]+\}|\^\{[^{}$\n]+\})+"
    r"|[A-Za-z](?:_[A-Za-z0-9]|\^[A-Z])(?![A-Za-z0-9_])"
    r")"
)
_PROTECTED_INLINE_RE = re.compile(r"(`+)[^`]*?\1|\$\$.*?\$\$|\$[^$\n]*\$|\]\([^)]*\)|<[^>\n]+>")


def _highlight(code: str, lang: str, _attrs: object) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    body = pygments_highlight(code, lexer, _formatter)
    css = f"language-{html.escape(lang)}" if lang else "language-text"
    return f'<pre class="highlight"><code class="{css}">{body}</code></pre>\n'


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env).strip()
    if alt.lower() in {"", "img", "image", "alt text"} or alt.startswith("image-"):
        alt = ""
    if re.match(r"^https?://", src):
        label = html.escape(alt or "图片")
        return f'<a class="img-link" href="{html.escape(src)}">🖼 {label}</a>'
    if not alt:
        return ""
    return f'<span class="img-missing">🖼 {html.escape(alt)}</span>'


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"breaks": True, "html": True, "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    md.add_render_rule("image", _render_image)
    return md


def _html_img_to_markdown(match: re.Match[str]) -> str:
    attrs = {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4)
        for m in _ATTR_RE.finditer(match.group(0))
    }
    src = attrs.get("src", "")
    alt = attrs.get("alt", "")
    return f"![{alt}]({src})" if src else ""


def _wrap_bare_tex_line(line: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _PROTECTED_INLINE_RE.finditer(line):
        out.append(_BARE_TEX_RE.sub(r"$\1$", line[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_BARE_TEX_RE.sub(r"$\1$", line[pos:]))
    return "".join(out)


def markdown_prepare(text: str) -> str:
    """Source-level fixes before parsing: HTML images to Markdown images, bare TeX to $…$.
    Fenced code and multi-line ``$$`` blocks are left untouched."""
    text = _HTML_IMG_RE.sub(_html_img_to_markdown, text)
    # Layout-only HTML wrappers would turn the Markdown inside them into an opaque HTML block.
    text = _LAYOUT_TAG_RE.sub("", text)
    lines = text.split("\n")
    in_code = False
    in_math = False
    for i, line in enumerate(lines):
        if re.match(r"^\s*(```|~~~)", line):
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.count("$$") % 2 == 1:
            in_math = not in_math
            continue
        if in_math or line.startswith("    "):
            continue
        lines[i] = _wrap_bare_tex_line(line)
    return "\n".join(lines)


_EMPTY_THEAD_RE = re.compile(r"<thead>\s*<tr>(?:\s*<th>\s*</th>)*\s*</tr>\s*</thead>\s*")


def markdown_render(text: str) -> str:
    """Render Markdown to sanitised HTML (math left for KaTeX, code highlighted).

    Tables sit in a scrollable, keyboard-focusable container so that a wide table scrolls on
    its own instead of the page; a header row without any text is left out."""
    if not text.strip():
        return ""
    raw = _markdown().render(markdown_prepare(text))
    raw = _EQ_LABEL_RE.sub('<div class="math block">', raw)
    raw = _INLINE_DISPLAY_RE.sub(r'<span class="math display">\1</span>', raw)
    raw = _BLOCK_MATH_RE.sub(r'<div class="math display">\1</div>', raw)
    raw = _EMPTY_THEAD_RE.sub("", raw)
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return clean.replace("<table>", '<div class="table-wrap" tabindex="0"><table>').replace(
        "</table>", "</table></div>"
    )


def pygments_css() -> str:
    return _formatter.get_style_defs(".highlight")
