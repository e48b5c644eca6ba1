"""What the grader tells a student, as data: a message code and its parameters, and one English
and one Chinese format per code, so the pages can show every message in the reader's language.

    message("check.shape", name="result", expected="(3, 4)", got="(4, 3)")
        .text("en")  ->  "result: expected shape (3, 4), got (4, 3)"
        .text("zh")  ->  "result：形状应为 (3, 4)，实际为 (4, 3)"

A parameter is a string or a number (names, shapes, indices and numbers, shown as they are in
both languages), a nested message, or a list of messages (joined with "; "). `data()` is the
plain-data form stored and sent ({"code", "params"}); `message_load` reads it back strictly.

The checkers (exercises.checks, exercises.specs) and grading build messages at the source. The
sandbox's own messages travel as English text (they cross a process boundary as the text they
always were); each of them is written with `english()` from a code of this table, and
`message_parse` turns such a text back into its code and parameters, so the format and the parser
are one line and cannot drift apart. Text no format matches becomes code "text", shown as it is.

A leaf module: no Django, nothing of the project; the sandboxed child imports it too.
"""

from __future__ import annotations

import functools
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias, TypedDict

# Bounds on stored or loaded message data: a parameter's characters, a list's items, nesting.
PARAM_CHARS = 2000
LIST_ITEMS = 20
MAX_DEPTH = 4

ParamData: TypeAlias = "str | int | float | MessageData | list[MessageData]"


class MessageData(TypedDict):
    code: str
    params: dict[str, ParamData]


Param: TypeAlias = "str | int | float | Message | tuple[Message, ...]"


@dataclass(frozen=True)
class Entry:
    """One code: its English and Chinese formats (str.format fields name the parameters).
    `parse`: sandbox text of this format is read back by message_parse; `nested`: fields whose
    text is itself a message of one of these codes (else kept as text)."""

    en: str
    zh: str
    parse: bool = False
    nested: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_PHASE = {"phase": ("phase.loading",)}

TABLE: dict[str, Entry] = {
    # --- free text: a message no format describes, and text written in both languages ---------
    "text": Entry("{text}", "{text}"),
    "localized": Entry("{en}", "{zh}"),
    # --- what a value is ------------------------------------------------------------------------
    "kind.tensor": Entry("a torch.Tensor", "torch.Tensor"),
    "kind.ndarray": Entry("a numpy.ndarray", "numpy.ndarray"),
    "kind.python": Entry("a plain Python value", "普通 Python 值"),
    "kind.none": Entry("nothing usable", "无可用的值"),
    "type.ndarray": Entry("numpy.ndarray of shape {shape}", "形状为 {shape} 的 numpy.ndarray"),
    # --- checkers (exercises.checks, exercises.specs) ---------------------------------------------
    "check.kind": Entry(
        "{name}: expected {expected}, got {got}", "{name}：应为 {expected}，实际为 {got}"
    ),
    "check.not_array": Entry(
        "{name}: expected an array, got {got}", "{name}：应为数组，实际为 {got}"
    ),
    "check.shape": Entry(
        "{name}: expected shape {expected}, got {got}", "{name}：形状应为 {expected}，实际为 {got}"
    ),
    "check.dtype": Entry(
        "{name}: expected dtype {expected}, got {got}",
        "{name}：dtype 应为 {expected}，实际为 {got}",
    ),
    "check.float_dtype": Entry(
        "{name}: expected a floating dtype, got {got}", "{name}：dtype 应为浮点类型，实际为 {got}"
    ),
    "check.nan": Entry(
        "{name}: first NaN at index {index}", "{name}：第一个 NaN 出现在索引 {index} 处"
    ),
    "check.inf": Entry(
        "{name}: first {value} at index {index} where a finite value belongs",
        "{name}：索引 {index} 处应为有限值，却第一次出现 {value}",
    ),
    "check.nonfinite": Entry(
        "{name}: at index {index} expected {expected}, got {got}; {count} of {size} elements "
        "outside tolerance",
        "{name}：索引 {index} 处应为 {expected}，实际为 {got}；{size} 个元素中有 {count} 个超出容差",
    ),
    "check.values": Entry(
        "{name}: max abs error {error} at index {index} (expected {expected}, got {got})"
        "{relative}; {count} of {size} elements outside rtol={rtol}, atol={atol}",
        "{name}：最大绝对误差 {error} 位于索引 {index}（应为 {expected}，实际为 {got}）"
        "{relative}；{size} 个元素中有 {count} 个超出 rtol={rtol}、atol={atol}",
    ),
    "check.values_relative": Entry(
        "; max rel error {error} at index {index}", "；最大相对误差 {error} 位于索引 {index}"
    ),
    "check.negative_probability": Entry(
        "{name}: probabilities must not be negative; got {value} at index {index}",
        "{name}：概率不能为负；索引 {index} 处为 {value}",
    ),
    "check.sum_to_one": Entry(
        "{name}: does not sum to 1 along dim={dim}: the slice at {index} sums to {value}",
        "{name}：沿 dim={dim} 的和不为 1：索引 {index} 处的切片之和为 {value}",
    ),
    "check.hull_shape": Entry(
        "{name}: shape {shape} does not broadcast with v", "{name}：形状 {shape} 无法与 v 广播"
    ),
    "check.hull": Entry(
        "{name}: value {value} at index {index} lies outside [{low}, {high}], the range of v for "
        "that coordinate; attention output must be a weighted average of the rows of v",
        "{name}：索引 {index} 处的值 {value} 超出 [{low}, {high}]，即 v 在该坐标上的取值范围；"
        "注意力的输出必须是 v 各行的加权平均",
    ),
    "check.raises_returned": Entry(
        "expected {expected} to be raised, but the call returned {got}",
        "应抛出 {expected}，但调用返回了 {got}",
    ),
    "check.raises_other": Entry(
        "expected {expected}, but {raised} was raised", "应抛出 {expected}，实际抛出了 {raised}"
    ),
    "check.int_tuple_type": Entry(
        "{name}: expected a tuple of {count} ints, got {got}",
        "{name}：应为含 {count} 个 int 的元组，实际为 {got}",
    ),
    "check.int_tuple_length": Entry(
        "{name}: expected a tuple of {count} ints, got {got} items",
        "{name}：应为含 {count} 个 int 的元组，实际有 {got} 项",
    ),
    "check.int_item": Entry(
        "{name}: item {position} must be a Python int, got {type} ({value})",
        "{name}：第 {position} 项必须是 Python int，实际为 {type}（{value}）",
    ),
    "check.expected_got": Entry(
        "{name}: expected {expected}, got {got}", "{name}：应为 {expected}，实际为 {got}"
    ),
    "check.exact": Entry(
        "{name}: at index {index} expected {expected}, got {got}; {count} of {size} elements "
        "differ",
        "{name}：索引 {index} 处应为 {expected}，实际为 {got}；{size} 个元素中有 {count} 个不同",
    ),
    "check.wrong_part": Entry(
        "wrong part: {names}{correct}. {details}", "错误的部分：{names}{correct}。{details}"
    ),
    "check.wrong_parts": Entry(
        "wrong parts: {names}{correct}. {details}", "错误的部分：{names}{correct}。{details}"
    ),
    "check.correct_parts": Entry(" (correct: {names})", "（正确：{names}）"),
    "check.dict_type": Entry(
        "expected a dict with keys {keys}, got {got}", "应为含键 {keys} 的 dict，实际为 {got}"
    ),
    "check.missing_key": Entry(
        "{name}: missing from the returned dict", "{name}：返回的 dict 中缺少此键"
    ),
    "check.expected_none": Entry(
        "{name}: expected None, got {got}", "{name}：应为 None，实际为 {got}"
    ),
    "check.got_none": Entry(
        "{name}: expected a value, got None", "{name}：应返回一个值，实际为 None"
    ),
    "check.tuple_type": Entry(
        "expected a tuple {label}, got {got}", "应为元组 {label}，实际为 {got}"
    ),
    "check.tuple_length": Entry(
        "expected a tuple {label} of {count} items, got {got} items",
        "应为含 {count} 项的元组 {label}，实际有 {got} 项",
    ),
    "check.sequence_type": Entry(
        "{name}: expected a tuple, got {got}", "{name}：应为元组，实际为 {got}"
    ),
    "check.sequence_length": Entry(
        "{name}: expected a tuple of {count} items, got {got} items",
        "{name}：应为含 {count} 项的元组，实际有 {got} 项",
    ),
    "check.int_type": Entry(
        "{name}: expected a Python int, got {got}", "{name}：应为 Python int，实际为 {got}"
    ),
    "check.int_list_type": Entry(
        "{name}: expected a list of Python ints, got {got}",
        "{name}：应为由 Python int 组成的列表，实际为 {got}",
    ),
    "check.float_type": Entry(
        "{name}: expected a float, got {got}", "{name}：应为 float，实际为 {got}"
    ),
    "check.float_nan": Entry("{name}: got NaN", "{name}：得到了 NaN"),
    "check.negative": Entry(
        "{name}: must not be negative; got {value} at index {index}",
        "{name}：不能为负；索引 {index} 处为 {value}",
    ),
    "check.not_checkable": Entry(
        "the returned value could not be checked ({error})", "无法检查返回的值（{error}）"
    ),
    # --- grading (grader.grading) --------------------------------------------------------------
    "grade.repetitions_missing": Entry(
        "{got} of {count} repetitions came back", "{count} 次重复中只返回了 {got} 次"
    ),
    "grade.too_slow": Entry(
        "correct, but {runs} took {taken} in all, more than the allowed {allowed}; vectorise "
        "instead of looping in Python",
        "结果正确，但总用时 {taken}（{runs}）超过了允许的 {allowed}；请向量化，不要用 Python 循环",
    ),
    "grade.fast_enough": Entry(
        "total time {taken} for {runs} (allowed {allowed})",
        "总用时 {taken}（{runs}，允许 {allowed}）",
    ),
    "grade.runs": Entry("{count} runs", "{count} 次运行"),
    "grade.the_run": Entry("the run", "一次运行"),
    "grade.no_time": Entry("no time was measured for this call", "这次调用没有测得时间"),
    "grade.unexpected_outcome": Entry("unexpected outcome {status}", "意外的结果 {status}"),
    # A hidden performance test's time, relative to its limit (the web side builds these).
    "time.within": Entry(
        "within the allowed time ({ratio}x of the limit)", "在允许的时间内（为限制的 {ratio} 倍）"
    ),
    "time.over": Entry(
        "over the allowed time ({ratio}x of the limit)", "超出允许的时间（为限制的 {ratio} 倍）"
    ),
    "infra.gave_up": Entry(
        "The grading infrastructure could not grade this submission after {attempts} attempts. "
        "This is not a fault in your code; an instructor has been notified and may regrade it.",
        "评测系统尝试 {attempts} 次后仍无法评测这次提交。这不是你的代码的问题；已通知教师，"
        "教师可以重新评测。",
        # Stored as the submission's message, read back on the pages.
        parse=True,
    ),
    # --- the sandbox's messages, read back from its text (parse=True), most specific first -------
    "repetition": Entry(
        "repetition {number} of {count}: {detail}",
        "第 {number} 次重复（共 {count} 次）：{detail}",
        parse=True,
        nested={"detail": ("*",)},
    ),
    "phase.loading": Entry(" while loading the code", "（加载代码时）", parse=True),
    "sandbox.time_limit": Entry(
        "time limit of {limit} s exceeded{phase}",
        "超出时间限制 {limit} 秒{phase}",
        parse=True,
        nested=_PHASE,
    ),
    "sandbox.cpu_time": Entry(
        "CPU time limit exceeded{phase}", "超出 CPU 时间限制{phase}", parse=True, nested=_PHASE
    ),
    "sandbox.memory_limit": Entry(
        "memory limit of {limit} MB exceeded{phase}",
        "超出内存限制 {limit} MB{phase}",
        parse=True,
        nested=_PHASE,
    ),
    "sandbox.signal": Entry(
        "the process was killed by signal {number} ({name}){phase}",
        "进程被信号 {number}（{name}）终止{phase}",
        parse=True,
        nested={
            "name": (
                "signal.segv",
                "signal.bus",
                "signal.fpe",
                "signal.ill",
                "signal.abrt",
            ),
            **_PHASE,
        },
    ),
    "signal.segv": Entry("segmentation fault", "段错误", parse=True),
    "signal.bus": Entry("bus error", "总线错误", parse=True),
    "signal.fpe": Entry("floating point exception", "浮点异常", parse=True),
    "signal.ill": Entry("illegal instruction", "非法指令", parse=True),
    "signal.abrt": Entry("aborted", "异常中止", parse=True),
    "sandbox.exit_code": Entry(
        "the process exited with code {code}{phase}",
        "进程以退出码 {code} 结束{phase}",
        parse=True,
        nested=_PHASE,
    ),
    "sandbox.protocol": Entry(
        "the code broke the sandbox protocol{phase}",
        "代码破坏了沙箱的通信协议{phase}",
        parse=True,
        nested=_PHASE,
    ),
    "sandbox.output_flood": Entry(
        "the code printed more than {size} KB", "代码输出超过了 {size} KB", parse=True
    ),
    "sandbox.result_large": Entry(
        "the return value is larger than {size} MB", "返回值大于 {size} MB", parse=True
    ),
    "sandbox.results_large": Entry(
        "the return values together are larger than {size} MB",
        "所有返回值加起来大于 {size} MB",
        parse=True,
    ),
    "sandbox.total_time": Entry(
        "not run: total time limit of {limit} s used up",
        "未运行：总时间限制 {limit} 秒已用完",
        parse=True,
    ),
    "sandbox.not_run_load": Entry(
        "not run: the code could not load", "未运行：代码无法加载", parse=True
    ),
    "sandbox.not_run_compile": Entry(
        "not run: the code does not compile", "未运行：代码无法编译", parse=True
    ),
    "sandbox.not_run": Entry("not run", "未运行", parse=True),
    "sandbox.no_result": Entry("no result came back", "没有返回结果", parse=True),
    "sandbox.too_large": Entry(
        "the result is too large: {reason}", "结果太大：{reason}", parse=True
    ),
    "sandbox.unreadable_reason": Entry(
        "unreadable result: {reason}", "无法读取的结果：{reason}", parse=True
    ),
    "sandbox.unreadable": Entry("unreadable result", "无法读取的结果", parse=True),
    "sandbox.forbidden": Entry(
        "called forbidden {what}{phase}",
        "调用了禁止使用的 {what}{phase}",
        parse=True,
        nested={
            "what": (
                "forbidden.family",
                "forbidden.autograd",
                "forbidden.func_transform",
                "forbidden.switch_off",
                "forbidden.guard",
            ),
            **_PHASE,
        },
    ),
    "sandbox.forbidden_static": Entry(
        "uses forbidden {name} (line {line})", "使用了禁止使用的 {name}（第 {line} 行）", parse=True
    ),
    "forbidden.family": Entry(
        "{name} (operator family {family})", "{name}（算子族 {family}）", parse=True
    ),
    "forbidden.autograd": Entry(
        "{name} on a tensor that requires grad (autograd)",
        "在需要梯度的张量上调用 {name}（自动求导）",
        parse=True,
    ),
    "forbidden.func_transform": Entry(
        "a torch.func transform (autograd)", "torch.func 变换（自动求导）", parse=True
    ),
    "forbidden.switch_off": Entry(
        "{name} (it would switch off the operator guard)",
        "{name}（它会关闭算子防护）",
        parse=True,
    ),
    "forbidden.guard": Entry(
        "a way around the operator guard ({problem}){phase}",
        "绕过算子防护的方法（{problem}）{phase}",
        parse=True,
        nested={
            "problem": (
                "guard.mode_gone",
                "guard.key_excluded",
                "guard.mode_changed",
                "guard.kernels_gone",
            ),
            **_PHASE,
        },
    ),
    "guard.mode_gone": Entry("its dispatch mode is gone", "其分派模式已不存在", parse=True),
    "guard.key_excluded": Entry(
        "the Python dispatch key is excluded", "Python 分派键被排除", parse=True
    ),
    "guard.mode_changed": Entry("its dispatch mode was changed", "其分派模式被修改", parse=True),
    "guard.kernels_gone": Entry("its kernels are gone", "其内核已不存在", parse=True),
    "load.no_entry": Entry(
        "the code does not define {entry}()", "代码没有定义 {entry}()", parse=True
    ),
    "load.not_function": Entry("{entry} is not a function", "{entry} 不是函数", parse=True),
    "load.exit": Entry(
        "the code called sys.exit({code}) while loading",
        "代码在加载时调用了 sys.exit({code})",
        parse=True,
    ),
    "load.memory": Entry("MemoryError while loading", "加载时发生 MemoryError", parse=True),
    "load.unparsable": Entry(
        "the code cannot be parsed: {error}", "无法解析代码：{error}", parse=True
    ),
    "call.exit": Entry(
        "the code called sys.exit({code})", "代码调用了 sys.exit({code})", parse=True
    ),
    "output.tensor": Entry(
        "returned a tensor ({dtype}) that is not plain data: {error}",
        "返回的张量（{dtype}）不是普通数据：{error}",
        parse=True,
    ),
    "output.too_deep": Entry(
        "returned a value nested deeper than {depth}", "返回值的嵌套深度超过 {depth}", parse=True
    ),
    "output.dict_key": Entry(
        "returned a dict with a key of type {type}",
        "返回的 dict 含有类型为 {type} 的键",
        parse=True,
    ),
    "output.type": Entry("returned a value of type {type}", "返回了类型为 {type} 的值", parse=True),
    "output.dtype": Entry(
        "returned an array of dtype {dtype}", "返回了 dtype 为 {dtype} 的数组", parse=True
    ),
    "output.unsupported": Entry("returned {what}", "返回了 {what}", parse=True),
    # An exception of the student's code: its class, its own text, the line in the submission.
    "raised.line": Entry(
        "{exception}: {text} (line {line})", "{exception}：{text}（第 {line} 行）", parse=True
    ),
    "raised.bare_line": Entry(
        "{exception} (line {line})", "{exception}（第 {line} 行）", parse=True
    ),
    "raised.text": Entry("{exception}: {text}", "{exception}：{text}", parse=True),
    "raised.bare": Entry("{exception}", "{exception}", parse=True),
}

# How a parsed field's text must look, by field name (anything else: non-empty text).
FIELD_PATTERNS = {
    "number": r"\d+",
    "count": r"\d+",
    "line": r"\d+",
    "depth": r"\d+",
    "attempts": r"\d+",
    "limit": r"[0-9.e+-]+",
    "size": r"[0-9.e+-]+",
    "code": r"-?\d+|None|.{1,220}?",
    "exception": r"[A-Za-z_][\w.]*",
    "entry": r"[A-Za-z_]\w*",
    # Nothing, or the one phase a sandbox message names.
    "phase": "(?:" + re.escape(TABLE["phase.loading"].en) + ")?",
}


class MessageError(ValueError):
    """A code outside the table, or parameters its formats do not name."""


@dataclass(frozen=True)
class Message:
    code: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        """The message in `language` ("en" or "zh"; anything else is English)."""
        entry = TABLE.get(self.code) or TABLE["text"]
        template = entry.zh if language == "zh" else entry.en
        out: list[str] = []
        for literal, name in _fields(template):
            out.append(literal)
            if name is not None:
                out.append(_render(self.params.get(name, ""), language))
        return "".join(out)

    def data(self) -> MessageData:
        """The plain-data form: {"code", "params"}, nested messages as the same."""
        return MessageData(
            code=self.code, params={key: _param_data(value) for key, value in self.params.items()}
        )


def message(code: str, /, **params: Param) -> Message:
    """A message of the table; every field its formats name must be given, and no other."""
    entry = TABLE.get(code)
    if entry is None:
        raise MessageError(f"unknown message code {code!r}")
    names = _names(entry.en) | _names(entry.zh)
    if set(params) != names:
        raise MessageError(f"{code}: parameters {sorted(params)}, the formats name {sorted(names)}")
    return Message(code=code, params=dict(params))


def english(code: str, /, **params: Param) -> str:
    """The English text of a message of the table (how the sandbox writes its messages)."""
    return message(code, **params).text("en")


def text_message(text: str) -> Message:
    """Text no format describes, shown as it is in every language."""
    return Message(code="text", params={"text": text[:PARAM_CHARS]})


def localized(*, en: str, zh: str) -> Message:
    """A message an exercise writes itself in both languages."""
    return Message(code="localized", params={"en": en[:PARAM_CHARS], "zh": zh[:PARAM_CHARS]})


def message_parse(text: str) -> Message:
    """The sandbox's English `text` as the message it was written from: the first format of the
    table (parse=True) it matches exactly, else code "text"."""
    found = _parse(text, codes=None, depth=0)
    return found if found is not None else text_message(text)


def message_load(data: object) -> Message | None:
    """A message from its stored or sent data, strictly: a known code, parameters its formats
    name, strings cut to PARAM_CHARS, lists to LIST_ITEMS, nesting to MAX_DEPTH; None for
    anything else."""
    return _load(data, depth=0)


def render(data: object, language: str) -> str:
    """Stored message data as text in `language`; "" for anything unreadable."""
    loaded = message_load(data)
    return loaded.text(language) if loaded is not None else ""


# --- internals ----------------------------------------------------------------------------------


@functools.cache
def _fields(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(template))


def _names(template: str) -> set[str]:
    return {name for _, name in _fields(template) if name is not None}


def _render(value: object, language: str) -> str:
    if isinstance(value, Message):
        return value.text(language)
    if isinstance(value, tuple | list):
        return ("；" if language == "zh" else "; ").join(_render(item, language) for item in value)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


def _param_data(value: Param) -> ParamData:
    if isinstance(value, Message):
        return value.data()
    if isinstance(value, tuple):
        return [item.data() for item in value]
    return value


def _load(data: object, *, depth: int) -> Message | None:
    if depth > MAX_DEPTH or not isinstance(data, dict):
        return None
    code, params = data.get("code"), data.get("params")
    if not isinstance(code, str) or code not in TABLE or not isinstance(params, dict):
        return None
    entry = TABLE[code]
    names = _names(entry.en) | _names(entry.zh)
    loaded: dict[str, Param] = {}
    for key, value in params.items():
        if key not in names:
            return None
        param = _load_param(value, depth=depth)
        if param is None:
            return None
        loaded[key] = param
    return Message(code=code, params=loaded)


def _load_param(value: object, *, depth: int) -> Param | None:
    if isinstance(value, str):
        return value[:PARAM_CHARS]
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**18 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return _load(value, depth=depth + 1)
    if isinstance(value, list) and len(value) <= LIST_ITEMS:
        items = [_load(item, depth=depth + 1) for item in value]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)
    return None


@functools.cache
def _pattern(code: str) -> re.Pattern[str]:
    entry = TABLE[code]
    parts: list[str] = []
    for literal, name in _fields(entry.en):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>{FIELD_PATTERNS.get(name, '.+?')})")
    return re.compile("".join(parts), re.DOTALL)


PARSED_CODES = tuple(code for code, entry in TABLE.items() if entry.parse)
# Codes that stand alone as a whole sandbox message (the rest only appear nested in one).
_TOP_CODES = tuple(
    code
    for code in PARSED_CODES
    if not code.startswith(("phase.", "signal.", "forbidden.", "guard."))
)


def _parse(text: str, *, codes: tuple[str, ...] | None, depth: int) -> Message | None:
    if depth > MAX_DEPTH or len(text) > 4 * PARAM_CHARS:
        return None
    for code in codes or _TOP_CODES:
        match = _pattern(code).fullmatch(text)
        if match is None:
            continue
        entry = TABLE[code]
        params: dict[str, Param] = {}
        for name, value in match.groupdict().items():
            allowed = entry.nested.get(name)
            if allowed is None or value == "":
                params[name] = value
                continue
            inner = _parse(value, codes=None if allowed == ("*",) else allowed, depth=depth + 1)
            if inner is None and allowed == ("*",):
                inner = text_message(value)
            params[name] = inner if inner is not None else value
        return Message(code=code, params=params)
    return None
