"""The grader's message table: every message has an English and a Chinese format over the same
parameters, the sandbox's English text reads back into its code, and stored message data is
loaded strictly."""

from __future__ import annotations

import string

import pytest

from grader import messages
from grader.messages import (
    FIELD_PATTERNS,
    TABLE,
    Message,
    MessageError,
    english,
    message,
    message_load,
    message_parse,
    render,
)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(set(TABLE) - {"localized"}))
def test_both_languages_name_the_same_parameters(code):
    entry = TABLE[code]
    assert _fields(entry.en) == _fields(entry.zh), code
    assert entry.zh.strip(), code


def test_a_message_must_name_exactly_its_parameters():
    assert message("check.nan", name="result", index="(0, 0)").text() == (
        "result: first NaN at index (0, 0)"
    )
    with pytest.raises(MessageError):
        message("check.nan", name="result")
    with pytest.raises(MessageError):
        message("check.nan", name="result", index="(0,)", extra="x")
    with pytest.raises(MessageError):
        message("no.such.code")


def _sample(code: str, depth: int = 0) -> Message:
    """A message of `code` with made-up parameters of the form its fields take."""
    entry = TABLE[code]
    params: dict[str, messages.Param] = {}
    for name in sorted(_fields(entry.en)):
        nested = entry.nested.get(name)
        if nested == ("*",):
            params[name] = _sample("sandbox.no_result", depth + 1)
        elif nested:
            params[name] = _sample(nested[0], depth + 1)
        elif name in ("number", "count", "line", "depth", "limit", "size", "attempts"):
            params[name] = 7
        elif name == "exception":
            params[name] = "ZeroDivisionError"
        elif name == "entry":
            params[name] = "softmax"
        elif name == "code":
            params[name] = "3"
        else:
            params[name] = f"some {name} text"
    return message(code, **params)


@pytest.mark.parametrize("code", [c for c in messages.PARSED_CODES if c in messages._TOP_CODES])
def test_every_sandbox_message_reads_back_into_its_code(code):
    written = _sample(code)
    text = written.text("en")
    read = message_parse(text)
    assert read.code == code, (text, read)
    assert read.text("en") == text
    assert read.text("zh") == written.text("zh")


def test_sandbox_messages_nest_and_unknown_text_stays_as_it_is():
    loading = english("phase.loading")
    text = english(
        "repetition",
        number=2,
        count=5,
        detail=english("sandbox.memory_limit", limit=512, phase=loading),
    )
    assert text == "repetition 2 of 5: memory limit of 512 MB exceeded while loading the code"
    read = message_parse(text)
    assert read.text("zh") == "第 2 次重复（共 5 次）：超出内存限制 512 MB（加载代码时）"
    family = english("forbidden.family", name="torch.ops.aten._softmax", family="softmax")
    forbidden = message_parse(english("sandbox.forbidden", what=family, phase=""))
    assert forbidden.text("zh") == "调用了禁止使用的 torch.ops.aten._softmax（算子族 softmax）"
    plain = message_parse("called forbidden torch.softmax")
    assert plain.text("zh") == "调用了禁止使用的 torch.softmax"
    unknown = message_parse("the moon is made of cheese")
    assert unknown.code == "text" and unknown.text("zh") == "the moon is made of cheese"


def test_an_exception_message_keeps_the_students_own_text():
    read = message_parse("KeyError: 'dim' (line 12)")
    assert read.code == "raised.line"
    assert read.text("zh") == "KeyError：'dim'（第 12 行）"
    assert message_parse("MemoryError").text("zh") == "MemoryError"


def test_message_data_round_trips_and_is_loaded_strictly():
    nested = message(
        "check.wrong_parts",
        names="dw1, db1",
        correct=message("check.correct_parts", names="loss"),
        details=(
            message("check.nan", name="dw1", index="(0, 1)"),
            message("check.shape", name="db1", expected="(4,)", got="(1, 4)"),
        ),
    )
    data = nested.data()
    loaded = message_load(data)
    assert loaded is not None and loaded.text("en") == nested.text("en")
    assert render(data, "zh") == (
        "错误的部分：dw1, db1（正确：loss）。dw1：第一个 NaN 出现在索引 (0, 1) 处；"
        "db1：形状应为 (4,)，实际为 (1, 4)"
    )
    assert nested.text("en") == (
        "wrong parts: dw1, db1 (correct: loss). dw1: first NaN at index (0, 1); "
        "db1: expected shape (4,), got (1, 4)"
    )
    for bad in (
        None,
        "check.nan",
        {"code": "no.such", "params": {}},
        {"code": "check.nan", "params": {"name": "x", "other": "y"}},
        {"code": "check.nan", "params": {"name": True, "index": "(0,)"}},
        {"code": "check.nan", "params": {"name": float("nan"), "index": "(0,)"}},
        {"code": "check.nan", "params": {"name": ["x"], "index": "(0,)"}},
        {"code": "check.nan", "params": ["name"]},
    ):
        assert message_load(bad) is None, bad
    deep: dict = {"code": "text", "params": {"text": "x"}}
    for _ in range(10):
        deep = {"code": "repetition", "params": {"number": 1, "count": 2, "detail": deep}}
    assert message_load(deep) is None
    long = message_load({"code": "text", "params": {"text": "x" * 100_000}})
    assert long is not None and len(long.text()) == messages.PARAM_CHARS


def test_reading_back_hostile_text_is_bounded():
    """A child controls the text of its messages: anything reads back into some message, fast."""
    for text in ("x" * 1_000_000, "repetition 1 of 2: " * 5000, "a: (line 1)" * 1000, ""):
        read = message_parse(text)
        assert isinstance(read, Message)
        assert len(read.text("zh")) <= max(len(text), messages.PARAM_CHARS) + 100


def test_field_patterns_name_only_fields_the_table_uses():
    used = set().union(*(_fields(entry.en) for entry in TABLE.values()))
    assert set(FIELD_PATTERNS) <= used
