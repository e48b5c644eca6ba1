"""The note parser on each of the five notes (pure Python, no database)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dlquiz.content.parsing import (
    MARKDOWN,
    NUMBERED,
    TITLES,
    ParsedNote,
    answer_is_meaningful,
    note_parse,
    note_parse_file,
    question_strip_numbering,
    text_normalise,
)

NOTES = Path(__file__).resolve().parents[2] / "fixtures" / "notes"
SHARED_NOTES = Path("/work/shared/notes")


def parse(name: str) -> ParsedNote:
    return note_parse_file(path=NOTES / name)


def questions(note: ParsedNote) -> list[str]:
    """The cards' headings (what the note says); the phrased questions are tested on their
    own."""
    return [c.heading for c in note.cards]


def card(note: ParsedNote, question: str):
    matches = [c for c in note.cards if c.heading == question]
    assert matches, f"no card {question!r} in {note.file_name}"
    return matches[0]


@pytest.fixture(scope="module")
def notes() -> dict[str, ParsedNote]:
    return {p.name[:3]: note_parse_file(path=p) for p in sorted(NOTES.glob("*.txt"))}


def test_fixture_notes_are_the_unedited_originals():
    """fixtures/notes holds the five notes byte for byte."""
    names = sorted(p.name for p in NOTES.glob("*.txt"))
    assert len(names) == 5
    if SHARED_NOTES.is_dir():
        for name in names:
            assert (NOTES / name).read_bytes() == (SHARED_NOTES / name).read_bytes()


def test_every_note_shape_is_detected(notes):
    """Plain numbered text, Markdown with front matter, and bare titles are told apart."""
    assert notes["000"].shape == NUMBERED
    assert notes["001"].shape == MARKDOWN
    assert notes["001"].title == "深度学习基础"  # from the YAML front matter
    assert notes["002"].shape == TITLES
    assert notes["003"].shape == MARKDOWN
    assert notes["004"].shape == MARKDOWN


def test_well_over_180_cards_and_a_fair_share_from_each_note(notes):
    counts = {k: len(n.cards) for k, n in notes.items()}
    assert sum(counts.values()) > 250
    assert counts["000"] >= 60
    assert counts["001"] >= 60
    assert counts["002"] >= 15
    assert counts["003"] >= 25
    assert counts["004"] >= 100


def test_no_card_is_empty_and_every_line_range_points_at_its_heading(notes):
    """Each card has a meaningful answer, and line_start is the heading's line in the note."""
    for key, note in notes.items():
        lines = (NOTES / note.file_name).read_text(encoding="utf-8").split("\n")
        for c in note.cards:
            assert c.question.strip()
            assert answer_is_meaningful(c.answer), (key, c.question)
            assert 1 <= c.line_start <= c.line_end <= len(lines)
            heading_line = text_normalise(lines[c.line_start - 1])
            tail = c.heading.split("：")[-1]
            assert text_normalise(tail) in heading_line, (key, c.question, heading_line)


def test_numbered_plain_headings_lose_their_numbers(notes):
    qs = questions(notes["000"])
    assert "预训练和微调任务有什么区别？两者的目的是什么？" in qs
    assert "神经网络中包含哪些超参数？" in qs  # 1.9.1
    assert "为什么 ReLU 常用于神经网络的激活函数？" in qs
    assert "如何解决 RNN 中的梯度消失问题？" in qs
    assert not any(re.match(r"^\d+(\.\d+)*\s", q) for q in qs)


def test_unnumbered_part_titles_become_the_heading_path(notes):
    """``卷积神经网络`` and ``循环神经网络`` restart the numbering in note 000."""
    rnn = card(notes["000"], "RNN 中为什么会出现梯度消失？")
    assert rnn.heading_path[0] == "循环神经网络"
    odd = card(notes["000"], "网络设计中，为什么卷积核设计尺寸都是奇数？")
    assert odd.heading_path == ("卷积神经网络",)


def test_markdown_headings_bold_lines_and_question_lines_become_cards(notes):
    qs004 = questions(notes["004"])
    assert qs004.count("为什么除以根号dk呢？") == 2  # a bold line and a plain question line
    assert "K为什么要转置？" in qs004
    assert "什么是回归算法？" in qs004
    assert "1 * 1的卷积的作用" in qs004  # "1 * 1" is content, not a section number
    assert "截断法" in qs004  # **1.截断法**
    qs003 = questions(notes["003"])
    assert "excitation 操作" in qs003  # #### 7.1.2 excitation 操作
    assert "为什么要进行Normalize呢？" in qs003
    assert "两者的区别" in qs003  # 3.1 两者的区别 inside Markdown
    assert "batch normalization" in qs003  # 一、batch normalization
    qs001 = questions(notes["001"])
    assert "为什么需要BN" in qs001
    assert "为什么不直接训练小的模型呢？" in qs001  # a question in a block quote


def test_generic_headings_get_their_parent_as_context(notes):
    assert "RNN：缺点" in questions(notes["000"])
    assert "梯度消失&梯度爆炸：解决方案" in questions(notes["000"])


def test_unanswered_questions_stay_in_their_section(notes):
    """``1x1卷积核降维？`` has nothing under it: it is no card but remains in the answer of
    ``卷积相关计算``, so a search still finds it."""
    qs = questions(notes["003"])
    assert "1x1卷积核降维？" not in qs
    assert "1x1卷积核降维？" in card(notes["003"], "卷积相关计算").answer


def test_titles_note_headings_and_skipped_empty_sections(notes):
    qs = questions(notes["002"])
    for title in ["Sigmod", "ReLU", "LeNet-5", "AlexNet", "VGG-16", "ResNet-18", "GRU"]:
        assert title in qs
    # "Cross Entropy", "Optimizer", "SGD", "Adam" have no body in the note.
    for empty in ["Cross Entropy", "Optimizer", "SGD", "Adam"]:
        assert empty not in qs


def test_glued_layer_tables_become_markdown_tables(notes):
    """Cells pasted without separators are split back into name, settings, output size."""
    alexnet = card(notes["002"], "AlexNet").answer
    assert "| Conv1(ReLU) | 96 个 11×11×3 卷积核,步长 4,填充 0 | 55×55×96 |" in alexnet
    vgg = card(notes["002"], "VGG-16").answer
    assert "| Conv1_1(ReLU) | 64 个 3×3 卷积核,步长 1,填充 1 | 224×224×64 |" in vgg


def test_tab_separated_tables_become_markdown_tables(notes):
    answer = card(notes["000"], "transformer 和 cnn 的区别").answer
    assert "| CNN | Transformer |" in answer
    activation = card(notes["000"], "激活函数").answer
    assert activation.count("\n|") >= 5
    assert r"\begin{cases}" in activation


def test_formulas_and_code_are_kept_intact(notes):
    lstm = card(notes["000"], "LSTM").answer
    assert "$$\\begin{aligned}\ni_t &= \\sigma(W_{ii}x_t" in lstm
    assert "h_t &= o_t \\odot \\tanh(c_t)\n\\end{aligned}$$" in lstm
    cnn = card(notes["002"], "simpleCNN").answer
    assert "OH = \\frac{H + 2P - FH}{S} + 1" in cnn
    loader = card(notes["004"], "pytorch加载数据集").answer
    assert "```python\nfrom torch.utils.data import Dateset" in loader
    assert "                            batch_size = 32," in loader
    positional = card(notes["001"], "位置编码（positional encoding）").answer
    assert r"$$PE(i, 2j) = \sin\left(\frac{i}{10000^{\frac{2j}{d}}}\right)$$" in positional


def test_bullets_become_markdown_lists(notes):
    nn = card(notes["002"], "NN").answer
    assert "- 神经元(neuron)" in nn
    assert "\n  - 权重(" in nn


def test_reparsing_gives_the_same_cards():
    text = (NOTES / "000_cec37892dd650e11.txt").read_text(encoding="utf-8")
    assert (
        note_parse(text=text, file_name="x.txt").cards
        == note_parse(text=text, file_name="x.txt").cards
    )


def test_windows_line_endings_do_not_change_the_cards():
    text = (NOTES / "003_0b0f34c74fecd1ba.txt").read_text(encoding="utf-8")
    a = note_parse(text=text, file_name="n.txt").cards
    b = note_parse(text=text.replace("\n", "\r\n"), file_name="n.txt").cards
    assert [c.question for c in a] == [c.question for c in b]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1.1 预训练和微调任务有什么区别？", "预训练和微调任务有什么区别？"),
        ("1.9.2 为什么要进行超参数调优？", "为什么要进行超参数调优？"),
        ("一、batch normalization", "batch normalization"),
        ("1.掩码语言模型(MLM)", "掩码语言模型(MLM)"),
        ("1 * 1的卷积的作用", "1 * 1的卷积的作用"),
        ("1xn,nxn,nx1等等具体是什么？", "1xn,nxn,nx1等等具体是什么？"),
        ("3d卷积", "3d卷积"),
    ],
)
def test_question_strip_numbering(raw, clean):
    assert question_strip_numbering(raw) == clean


def test_text_normalise_folds_width_case_and_punctuation():
    assert text_normalise("为什么 ReLU？") == text_normalise("为什么relu?")
    assert text_normalise("ＢＥＲＴ，ＧＰＴ") == "bert" + "gpt"


def test_each_note_has_its_own_title(notes):
    """A note is known by its title (front matter, a title line, or its first headings), never
    by its file name."""
    assert notes["000"].title == "神经网络基础"
    assert notes["001"].title == "深度学习基础"  # front matter
    assert notes["003"].title == "卷积神经网络 CNN · 循环神经网络 RNN"
    assert notes["004"].title == "深度学习"
    assert notes["002"].title == "Env · NN · Activation Function …"


def test_heading_only_cards_ask_a_real_question(notes):
    """A topic heading becomes a question to answer; headings that already ask stay as they
    are; generic and overview headings ask about their parent."""
    by_heading = {c.heading: c.question for n in notes.values() for c in n.cards}
    assert by_heading["激活函数"] == "简述激活函数"
    assert by_heading["简介"] == "简述深度学习基础"
    assert by_heading["RNN：缺点"] == "RNN的缺点是什么？"
    assert by_heading["为什么要进行超参数调优？"] == "为什么要进行超参数调优？"
    for note in notes.values():
        for c in note.cards:
            assert c.question not in {"简介", "激活函数", "缺点", "LSTM"}, c


def test_question_phrase_rules():
    from dlquiz.content.parsing import question_phrase

    assert question_phrase(heading="池化", parents=(), note_title="T") == "简述池化"
    assert (
        question_phrase(heading="特点", parents=("池化",), note_title="T") == "池化的特点是什么？"
    )
    assert question_phrase(heading="总结", parents=(), note_title="笔记") == "简述笔记"
    assert question_phrase(heading="为何用 ReLU", parents=(), note_title="T") == "为何用 ReLU"


def test_short_section_intros_fold_into_their_first_sub_section(notes):
    """``梯度更新（Optimizer）`` has one line of its own before its sub-sections: no card of its
    own; that line opens the first sub-section's answer instead, so nothing is lost."""
    headings = questions(notes["000"])
    assert "梯度更新（Optimizer）" not in headings
    first = card(notes["000"], "一阶优化&二阶优化")
    assert first.heading_path[-1] == "梯度更新（Optimizer）"
    intro = note_parse(
        text="# T\n\n## 优化器\n\n常见优化器如下\n\n### Adam\n\n自适应学习率的优化方法，结合动量。\n",
        file_name="x.txt",
    )
    assert [c.heading for c in intro.cards] == ["Adam"]
    assert intro.cards[0].answer.startswith("常见优化器如下")


def test_activation_table_has_no_empty_column_and_one_item_per_line(notes):
    """Card 13's table: the empty column copied from the web page is dropped and the numbered
    pros/cons inside a cell are separate lines."""
    table = [ln for ln in card(notes["000"], "激活函数").answer.split("\n") if ln.startswith("|")]
    rows = [[cell.strip() for cell in ln.strip("|").split(" | ")] for ln in table[2:]]
    assert all(len(r) == 4 for r in rows), rows
    assert all(all(cell for cell in r[:3]) for r in rows), rows
    sigmoid = rows[0]
    assert sigmoid[0] == "Sigmoid"
    assert "<br>2. 连续函数" in sigmoid[2]
