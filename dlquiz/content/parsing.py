"""Turn a study note into Q&A cards.

Pure Python (no Django) so that it can be tested on the notes alone. The notes come in three
shapes, detected per file:

- ``markdown``: ATX headings (``## …``), optional YAML front matter, bold lines as sub-headings;
- ``numbered``: plain text with numbered headings (``1.1 …？``) and unnumbered part titles;
- ``titles``: plain text whose headings are short standalone lines (``Sigmod``, ``LeNet-5``).

In every shape a standalone line that asks a question (ends with ``？``/``?``) and a bold line
(``**为什么除以根号dk呢？**``) start a card of their own. A card's answer is the Markdown between
its heading and the next heading; sections without meaningful text produce no card.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MARKDOWN = "markdown"
NUMBERED = "numbered"
TITLES = "titles"

ATX_RE = re.compile(r"^(#{1,6})[ \t]*(.*?)[ \t]*#*[ \t]*$")
NUMBERED_HEADING_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})[ \t]+(\S.*)$")
CN_NUMBERED_RE = re.compile(r"^([一二三四五六七八九十]{1,3})[、．.][ \t]*(\S.*)$")
BOLD_LINE_RE = re.compile(r"^\*\*(?!\*)(.+?)\*\*[ \t]*[:：]?[ \t]*$")
QUOTE_QUESTION_RE = re.compile(r"^>[ \t]*(\S.*[？?])[ \t]*$")
QUESTION_END_RE = re.compile(r"[？?][ \t]*(?:[（(][^()（）]{0,30}[)）])?[ \t]*$")
LEADING_NUMBER_RE = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2}){0,4}(?:[ \t]+|\.(?!\d)[ \t]*|、[ \t]*)"
    r"|[一二三四五六七八九十]{1,3}[、．.][ \t]*|[（(]\d{1,2}[)）][ \t]*)(?![*×+/=])"
)
LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+•]\s|\d+[.)、]|>)")
SENTENCE_PUNCT_RE = re.compile(r"[，。；：、！,;:!？?]")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
MAX_HEADING_LEN = 120
MAX_TITLE_LEN = 40

# Headings that mean nothing on their own ("缺点", "公式"); the card question gets its parent
# heading as a prefix so that a list of questions stays readable.
GENERIC_HEADINGS = {
    "缺点",
    "优点",
    "特点",
    "公式",
    "原理",
    "本质",
    "概览",
    "概念",
    "总结",
    "小结",
    "过程",
    "是什么",
    "全称",
    "方法",
    "输入",
    "训练",
    "train",
    "model",
    "计算流程",
    "解决方案",
    "具体应用",
    "工作原理",
    "基本原理",
    "基础知识",
    "研究问题",
    "研究方法",
    "研究结论",
    "研究背景",
    "引言",
    "背景介绍",
    "详细方法过程",
    "使用方法",
    "解决了什么",
    "参数设置",
    "方法论",
    "详解实例过程",
    "如何交互",
    "简介",
}

# Generic headings that introduce their parent as a whole: the question asks for the parent.
OVERVIEW_HEADINGS = {"简介", "概览", "总结", "小结"}

# A heading that already asks something (a question mark, a question word) stays as it is;
# any other heading is a topic, and its card asks the student to explain it.
QUESTION_WORD_RE = re.compile(
    r"[？?]|什么|为何|为什么|如何|怎么|怎样|哪些|哪个|区别|为啥|是否|吗$|能不能|有没有|作用$"
)
# A heading section whose own text is shorter than this, followed by its sub-sections, is an
# introduction: its text goes to the first sub-section instead of a card of its own.
INTRO_MAX_CHARS = 40

# Headings that are bibliography or navigation, never study material.
SKIPPED_HEADINGS = {"参考", "参考资料", "references", "reference"}


@dataclass(frozen=True)
class ParsedCard:
    question: str
    answer: str
    heading_path: tuple[str, ...]
    line_start: int
    line_end: int
    kind: str
    # The heading as written (generic ones prefixed by their parent): the card's identity
    # across re-imports, whatever wording the question gets.
    heading: str = ""


@dataclass
class ParsedNote:
    file_name: str
    title: str
    shape: str
    cards: list[ParsedCard] = field(default_factory=list)


@dataclass
class _Heading:
    line: int  # 0-based index into the note's lines
    level: int
    text: str
    kind: str


def text_normalise(text: str) -> str:
    """Fold a text for matching: NFKC (full-width to half-width), lower case, no whitespace or
    punctuation. Applied to questions, answers and search queries alike."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum() or ch in "+-*/=^_<>|#%&")


def question_strip_numbering(text: str) -> str:
    """``1.2.3 为什么…`` → ``为什么…``; also ``一、…``, ``(1) …``."""
    stripped = text.strip()
    out = LEADING_NUMBER_RE.sub("", stripped, count=1).strip()
    return out or stripped


def _clean_heading_text(text: str) -> str:
    text = text.strip()
    text = re.sub(r"^\*\*(.*)\*\*$", r"\1", text).strip()
    text = question_strip_numbering(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"[ \t]+", " ", text)
    return text.rstrip("：:").strip()


def _front_matter(lines: list[str]) -> tuple[int, dict]:
    """Number of lines taken by YAML front matter, and its data."""
    if not lines or lines[0].strip() != "---":
        return 0, {}
    for i in range(1, min(len(lines), 60)):
        if lines[i].strip() == "---":
            try:
                data = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError:
                data = {}
            return i + 1, data if isinstance(data, dict) else {}
    return 0, {}


def _protected_lines(lines: list[str], start: int) -> list[bool]:
    """Lines inside fenced code or a multi-line ``$$`` block: never headings."""
    protected = [False] * len(lines)
    in_code = False
    fence = ""
    in_math = False
    for i in range(start, len(lines)):
        line = lines[i]
        m = FENCE_RE.match(line)
        if in_code:
            protected[i] = True
            if m and m.group(1) == fence:
                in_code = False
            continue
        if m and not in_math:
            in_code, fence = True, m.group(1)
            protected[i] = True
            continue
        if in_math:
            protected[i] = True
        if line.count("$$") % 2 == 1:
            protected[i] = True
            in_math = not in_math
    return protected


def _blank(line: str) -> bool:
    return not line.strip()


def note_shape(lines: list[str], body_start: int) -> str:
    if body_start:
        return MARKDOWN
    protected = _protected_lines(lines, 0)
    atx = sum(
        1 for i, ln in enumerate(lines) if not protected[i] and re.match(r"^#{2,6}[ \t]+\S", ln)
    )
    if atx >= 2:
        return MARKDOWN
    numbered = sum(
        1 for i, ln in enumerate(lines) if not protected[i] and NUMBERED_HEADING_RE.match(ln)
    )
    return NUMBERED if numbered >= 5 else TITLES


def _standalone(lines: list[str], i: int, start: int) -> bool:
    before = i == start or _blank(lines[i - 1])
    after = i + 1 >= len(lines) or _blank(lines[i + 1])
    return before and after


def _looks_like_title(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > MAX_TITLE_LEN or line[:1].isspace():
        return False
    if SENTENCE_PUNCT_RE.search(s) or LIST_MARKER_RE.match(s):
        return False
    if s[0] in "#$[!<|>`*" or s[-1] in ".。" or "$" in s:
        return False
    if sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff") > 8:
        return False
    return any(ch.isalpha() for ch in s)


def _is_question_line(lines: list[str], i: int, start: int) -> bool:
    s = lines[i].strip()
    if not s or len(s) > 80 or lines[i][:1].isspace():
        return False
    if LIST_MARKER_RE.match(s) or s.startswith(("|", "$", "!", "<", "#", "`")):
        return False
    if not QUESTION_END_RE.search(s):
        return False
    # A question mark in the middle followed by prose is an inline Q&A sentence, not a heading.
    head = QUESTION_END_RE.sub("", s)
    if re.search(r"[？?]\s*\S{8,}", head) and not re.search(r"[？?][^？?]{0,20}$", head):
        return False
    return i == start or _blank(lines[i - 1])


def _numbered_level(number: str) -> int:
    return number.count(".") + 1


def _find_headings(lines: list[str], start: int, shape: str) -> list[_Heading]:
    protected = _protected_lines(lines, start)
    found: list[_Heading] = []
    numbered_next: dict[int, str] = {}
    if shape == NUMBERED:
        # The number of the next numbered heading after each line, to recognise part titles
        # (an unnumbered title right before numbering restarts at "1").
        upcoming = ""
        for i in range(len(lines) - 1, start - 1, -1):
            if not protected[i]:
                m = NUMBERED_HEADING_RE.match(lines[i])
                if m and len(m.group(2)) <= MAX_HEADING_LEN:
                    upcoming = m.group(1)
            numbered_next[i] = upcoming
    atx_level = 0
    for i in range(start, len(lines)):
        if protected[i]:
            continue
        line = lines[i]
        s = line.strip()
        if not s:
            continue
        if shape == MARKDOWN:
            m = ATX_RE.match(line)
            if m and (len(m.group(1)) > 1 or line.startswith("# ")):
                text = m.group(2).strip()
                if text:
                    atx_level = len(m.group(1))
                    found.append(_Heading(i, atx_level, text, "heading"))
                continue
            m = CN_NUMBERED_RE.match(line)
            if m and len(s) <= 40 and not SENTENCE_PUNCT_RE.search(m.group(2)[:-1]):
                found.append(_Heading(i, 7, s, "heading"))
                continue
            m = NUMBERED_HEADING_RE.match(line)
            if m and len(s) <= 40 and not s.endswith(("。", ".")) and "$" not in s:
                found.append(_Heading(i, 7 + _numbered_level(m.group(1)), s, "heading"))
                continue
        elif shape == NUMBERED:
            m = NUMBERED_HEADING_RE.match(line)
            if m and len(s) <= MAX_HEADING_LEN and not s.endswith("。") and "$" not in s:
                found.append(_Heading(i, 1 + _numbered_level(m.group(1)), s, "heading"))
                continue
            if (
                _standalone(lines, i, start)
                and _looks_like_title(line)
                and numbered_next.get(i) == "1"
            ):
                found.append(_Heading(i, 1, s, "part"))
                continue
        elif shape == TITLES and _standalone(lines, i, start) and _looks_like_title(line):
            found.append(_Heading(i, 1, s, "heading"))
            continue
        m = BOLD_LINE_RE.match(s)
        if m and not line[:1].isspace() and len(m.group(1)) <= MAX_HEADING_LEN:
            found.append(_Heading(i, 10, s, "bold"))
            continue
        m = QUOTE_QUESTION_RE.match(s)
        if (
            m
            and (i == start or not lines[i - 1].lstrip().startswith(">"))
            and i + 1 < len(lines)
            and lines[i + 1].lstrip().startswith(">")
            and lines[i + 1].strip(" >\t")
        ):
            found.append(_Heading(i, 11, m.group(1), "question"))
            continue
        if _is_question_line(lines, i, start):
            found.append(_Heading(i, 11, s, "question"))
    return found


# --- body clean-up ---------------------------------------------------------------------------

LAYER_TABLE_HEADER_RE = re.compile(r"^(层类型\(\d+\))(参数设置|参数配置)(输出尺寸)$")
LAYER_NAME_RE = re.compile(
    r"^(Input|Output|Conv\d+(?:_\d+)?|Pooling\d+|Subsampling\d+|FC\d*|Stage\d|"
    r"Inception \d[a-z]~\d[a-z])(\([^)]*\))?"
)
SIZE_AT_RE = re.compile(r"(\d+)×(\d+)")


def _split_layer_row(row: str) -> list[str] | None:
    """Split a layer-table row whose cells were glued together when copied from a web page:
    ``Conv1(ReLU)96 个 11×11×3 卷积核,步长 4,填充 055×55×96`` → name, settings, output."""
    m = LAYER_NAME_RE.match(row)
    if not m:
        return None
    name, rest = m.group(0), row[m.end() :]
    equal: list[int] = []
    after_text: list[int] = []
    for j in range(len(rest)):
        if not rest[j].isdigit() or (j > 0 and rest[j - 1].isdigit() and rest[j] == "0"):
            continue
        if rest[j] == "0" and j + 1 < len(rest) and rest[j + 1].isdigit():
            continue
        sm = SIZE_AT_RE.match(rest, j)
        if not sm:
            continue
        if sm.group(1) == sm.group(2):
            equal.append(j)
        elif j == 0 or not rest[j - 1].isdigit():
            after_text.append(j)
    cut = equal[-1] if equal else (after_text[-1] if after_text else None)
    if cut is None:
        pm = re.search(r"(?<![\d×])(\d+(?:\([^)]*\))?)$", rest)
        if pm is None:
            pm = re.search(r"(\d{3,}(?:\([^)]*\))?)$", rest)
        if pm is None:
            return None
        cut = pm.start()
    settings, output = rest[:cut].strip(), rest[cut:].strip()
    if not settings or not output:
        return None
    return [name, settings, output]


ITEM_NUMBER_RE = re.compile(r"(?<=\S)\s+(?=\d{1,2}\.\s)")


def _table_cell(text: str) -> str:
    text = re.sub(r"</?ol[^>]*>", "", text).strip()
    # ``1. 优点 2. 缺点`` copied from a list inside a cell: one item per line again.
    text = ITEM_NUMBER_RE.sub("<br>", text)
    return text.replace("|", "\\|").strip()


def _drop_empty_columns(
    rows: list[list[str]], header: list[str] | None
) -> tuple[list[list[str]], list[str] | None]:
    """Columns with no text in any row (cells lost when a table was copied) are left out."""
    width = max(len(r) for r in rows + ([header] if header else []))
    keep = [
        j
        for j in range(width)
        if any(j < len(r) and r[j].strip() for r in rows + ([header] if header else []))
    ]
    rows = [[r[j] if j < len(r) else "" for j in keep] for r in rows]
    if header is not None:
        header = [header[j] if j < len(header) else "" for j in keep]
    return rows, header


def _pipe_table(rows: list[list[str]], *, header: list[str] | None) -> list[str]:
    rows, header = _drop_empty_columns(rows, header)
    width = max(len(r) for r in rows + ([header] if header else []))
    head = header or [""] * width
    out = ["| " + " | ".join(_table_cell(c) for c in head + [""] * (width - len(head))) + " |"]
    out.append("|" + "---|" * width)
    for r in rows:
        out.append("| " + " | ".join(_table_cell(c) for c in r + [""] * (width - len(r))) + " |")
    return out


def _convert_tables(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        hm = LAYER_TABLE_HEADER_RE.match(line.strip())
        if hm:
            rows: list[list[str]] = []
            j = i + 1
            while j < len(lines) and (cells := _split_layer_row(lines[j].strip())):
                rows.append(cells)
                j += 1
            if rows:
                out.extend(["", *_pipe_table(rows, header=list(hm.groups())), ""])
                i = j
                continue
        if "\t" in line and not line.startswith(("    ", "\t")):
            j = i
            block: list[list[str]] = []
            while j < len(lines) and "\t" in lines[j] and lines[j].strip():
                block.append([c for c in lines[j].rstrip("\n").split("\t")])
                j += 1
            if len(block) >= 2:
                first = block[0]
                is_header = all(len(c) <= 24 and "$" not in c for c in first if c)
                body = block[1:] if is_header else block
                out.extend(["", *_pipe_table(body, header=first if is_header else None), ""])
                i = j
                continue
        out.append(line)
        i += 1
    return out


def _clean_body(lines: list[str], shape: str) -> str:
    out: list[str] = []
    in_code = False
    for line in lines:
        if FENCE_RE.match(line):
            in_code = not in_code
            out.append(line.rstrip())
            continue
        if in_code:
            out.append(line.rstrip("\n"))
            continue
        if not line.strip():
            out.append("")
            continue
        line = line.rstrip()
        m = re.match(r"^(\s*)•\s*", line)
        if m:
            depth = max(0, (len(m.group(1)) - 2) // 2)
            line = "  " * depth + "- " + line[m.end() :]
        elif shape != MARKDOWN:
            line = re.sub(r"^ (?=[-*] )", "  ", line)
            if line.startswith("#"):
                line = "\\" + line
        out.append(line)
    if shape != MARKDOWN or any("\t" in ln for ln in out):
        out = _convert_tables(out)
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n").rstrip()


MEANINGLESS_RE = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\(#?\)|<[^>]+>|[\s\W_]", flags=re.UNICODE
)


def answer_is_meaningful(answer: str) -> bool:
    """False for bodies made only of images, empty links, HTML tags and punctuation."""
    return len(MEANINGLESS_RE.sub("", answer)) >= 4


def _drop_unanswered_questions(headings: list[_Heading], lines: list[str]) -> list[_Heading]:
    """A question line with nothing under it is an open question of the section it sits in,
    not a card: it stays in that section's answer (and so remains searchable)."""
    kept: list[_Heading] = []
    for n, h in enumerate(headings):
        end = headings[n + 1].line if n + 1 < len(headings) else len(lines)
        body = "\n".join(lines[h.line + 1 : end])
        if h.kind == "question" and not answer_is_meaningful(body):
            continue
        kept.append(h)
    return kept


def question_phrase(*, heading: str, parents: tuple[str, ...], note_title: str) -> str:
    """The question a card asks, from its heading: a heading that asks something stays; a
    generic heading (``缺点``) asks about its parent (``RNN的缺点是什么？``); an overview
    heading (``简介``) asks for a summary of its parent or of the note; any other heading is a
    topic to explain (``激活函数`` → ``简述激活函数``)."""
    context = parents[-1] if parents else note_title
    if heading in OVERVIEW_HEADINGS and context:
        return f"简述{context}"
    if heading in GENERIC_HEADINGS and context:
        return f"{context}的{heading}是什么？"
    if QUESTION_WORD_RE.search(heading):
        return heading
    return f"简述{heading}"


def _note_title(meta: dict, lines: list[str], start: int, headings: list[_Heading]) -> str:
    """Front-matter title; else the first line when it is a title of its own (not a card's
    heading); else the note's first headings."""
    title = str(meta.get("title") or "").strip()
    if title:
        return title
    first_i = next((i for i in range(start, len(lines)) if lines[i].strip()), None)
    if first_i is None:
        return ""
    first = lines[first_i].strip()
    first = ATX_RE.sub(r"\2", first).strip() if first.startswith("#") else first
    heads = [h for h in headings if h.kind != "question"]
    if not heads or heads[0].line != first_i or heads[0].kind == "part" or len(heads) < 3:
        return first
    top = min(h.level for h in heads)
    names = [_clean_heading_text(h.text) for h in heads if h.level == top]
    return " · ".join(names[:3]) + (" …" if len(names) > 3 else "")


def note_parse(*, text: str, file_name: str) -> ParsedNote:
    """Parse one note's text into cards, in the order they appear."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = text.split("\n")
    start, meta = _front_matter(lines)
    shape = note_shape(lines, start)
    headings = _drop_unanswered_questions(_find_headings(lines, start, shape), lines)
    title = _note_title(meta, lines, start, headings)
    note = ParsedNote(file_name=file_name, title=title[:200], shape=shape)

    stack: list[tuple[int, str]] = []
    intro: list[str] = []  # text of introductions waiting for their first sub-section
    for n, h in enumerate(headings):
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        parents = tuple(t for _, t in stack)
        heading = _clean_heading_text(h.text)
        stack.append((h.level, heading))
        end = headings[n + 1].line if n + 1 < len(headings) else len(lines)
        body_lines = lines[h.line + 1 : end]
        answer = _clean_body(body_lines, shape)
        if not heading or heading.lower() in SKIPPED_HEADINGS:
            continue
        if not answer_is_meaningful(answer):
            continue
        nxt = headings[n + 1] if n + 1 < len(headings) else None
        if (
            nxt is not None
            and nxt.level > h.level
            and len(MEANINGLESS_RE.sub("", answer)) < INTRO_MAX_CHARS
        ):
            # A short introduction to the sub-sections that follow: no card of its own.
            intro.append(answer)
            continue
        if intro and parents:
            answer = "\n\n".join([*intro, answer])
        intro = []
        last_body = max((k for k, ln in enumerate(body_lines) if ln.strip()), default=-1)
        key_heading = heading
        if heading in GENERIC_HEADINGS and parents:
            key_heading = f"{parents[-1]}：{heading}"
        note.cards.append(
            ParsedCard(
                question=question_phrase(heading=heading, parents=parents, note_title=title),
                answer=answer,
                heading_path=parents,
                line_start=h.line + 1,
                line_end=h.line + 2 + last_body,
                kind=h.kind,
                heading=key_heading,
            )
        )
    return note


def note_parse_file(*, path: Path) -> ParsedNote:
    return note_parse(text=path.read_text(encoding="utf-8"), file_name=path.name)
