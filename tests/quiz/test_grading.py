"""Grading of each question kind: choices, numeric tolerance, short answers and patterns."""

from dlquiz.quiz.grading import answer_is_correct, expected_describe


def test_single_choice_accepts_only_the_correct_index():
    """A single-choice answer is right only for the expected index (int or numeric string)."""
    expected = {"choice": 2}
    assert answer_is_correct(kind="single", expected=expected, given=2)
    assert answer_is_correct(kind="single", expected=expected, given="2")
    assert not answer_is_correct(kind="single", expected=expected, given=1)
    assert not answer_is_correct(kind="single", expected=expected, given=None)
    assert not answer_is_correct(kind="single", expected=expected, given="two")


def test_multiple_choice_is_all_or_nothing_and_order_free():
    """A multiple-choice answer must select exactly the expected set, in any order."""
    expected = {"choices": [0, 3]}
    assert answer_is_correct(kind="multiple", expected=expected, given=[3, 0])
    assert not answer_is_correct(kind="multiple", expected=expected, given=[0])
    assert not answer_is_correct(kind="multiple", expected=expected, given=[0, 1, 3])
    assert not answer_is_correct(kind="multiple", expected=expected, given=3)


def test_numeric_tolerance_is_absolute_and_inclusive():
    """A numeric answer within the absolute tolerance (boundary included) is right."""
    expected = {"value": 0.665, "tolerance": 0.002}
    assert answer_is_correct(kind="numeric", expected=expected, given=0.665)
    assert answer_is_correct(kind="numeric", expected=expected, given="0.667")
    assert answer_is_correct(kind="numeric", expected=expected, given=" 0.663 ")
    assert not answer_is_correct(kind="numeric", expected=expected, given=0.6675)
    assert not answer_is_correct(kind="numeric", expected=expected, given="abc")
    assert not answer_is_correct(kind="numeric", expected=expected, given="nan")


def test_numeric_zero_tolerance_still_accepts_equal_floats_and_thousand_separators():
    """With no tolerance the exact value is right however it is written."""
    expected = {"value": 23296}
    assert answer_is_correct(kind="numeric", expected=expected, given="23,296")
    assert answer_is_correct(kind="numeric", expected=expected, given="23296.0")
    assert not answer_is_correct(kind="numeric", expected=expected, given=23297)


def test_numeric_relative_tolerance_scales_with_the_value():
    """A relative tolerance allows an error proportional to the expected value."""
    expected = {"value": 1_000_000, "rel_tolerance": 0.01}
    assert answer_is_correct(kind="numeric", expected=expected, given=1_009_000)
    assert not answer_is_correct(kind="numeric", expected=expected, given=1_011_000)


def test_short_answer_exact_ignores_case_width_and_spacing():
    """An exact short answer matches after case folding, NFKC and whitespace collapsing."""
    expected = {"accept": ["Layer Normalization", "LN"]}
    assert answer_is_correct(kind="short", expected=expected, given="  layer   normalization ")
    assert answer_is_correct(kind="short", expected=expected, given="ＬＮ")
    assert not answer_is_correct(kind="short", expected=expected, given="BN")


def test_short_answer_patterns_must_match_the_whole_answer():
    """A pattern must match the whole answer, not a substring of it."""
    expected = {"patterns": [r"(masked\s+)?self[- ]?attention", r"掩码自注意力"]}
    assert answer_is_correct(kind="short", expected=expected, given="Masked Self-Attention")
    assert answer_is_correct(kind="short", expected=expected, given="掩码自注意力")
    assert not answer_is_correct(kind="short", expected=expected, given="not self attention at all")


def test_a_broken_pattern_never_raises():
    """An invalid regular expression in authored content makes the pattern fail, not grading."""
    assert not answer_is_correct(kind="short", expected={"patterns": ["("]}, given="(")


def test_expected_describe_names_the_choices():
    """The result page shows choice text, not indexes."""
    assert (
        expected_describe(kind="multiple", expected={"choices": [0, 2]}, choices=["a", "b", "c"])
        == "a；c"
    )
    assert expected_describe(kind="numeric", expected={"value": 55.0}) == "55"
