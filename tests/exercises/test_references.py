"""The hidden references agree with torch's own layers and pass their own tests; the model
solutions (used to time the performance tests) pass every test in every framework."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.base import Raises
from exercises.frameworks import to_framework
from exercises.registry import exercise_get, exercise_list
from tests.exercises.runner import judge_function

PAIRS = [(e.slug, framework) for e in exercise_list() for framework in e.frameworks]


def _t(value: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(
        np.array(value, dtype=np.float64 if value.dtype == np.float32 else None)
    )


@pytest.mark.parametrize(("slug", "framework"), PAIRS)
def test_model_solution_passes_every_test(slug, framework):
    """The model solution of each framework passes all samples, hidden and performance tests."""
    exercise = exercise_get(slug)
    judged = judge_function(
        exercise=exercise, framework=framework, function=exercise.solution(framework=framework)
    )
    failures = {item.case.name: item.result for item in judged if not item.result.passed}
    assert failures == {}
    assert len(judged) == len(exercise.cases())


@pytest.mark.parametrize(("slug", "framework"), PAIRS)
def test_reference_passes_its_own_tests(slug, framework):
    """The reference itself, returned as the framework's kind, passes through the checkers."""
    exercise = exercise_get(slug)

    def as_student(*args, **kwargs):
        args = tuple(a.numpy() if isinstance(a, torch.Tensor) else a for a in args)
        kwargs = {k: v.numpy() if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
        return to_framework(exercise.reference(*args, **kwargs), framework=framework)

    judged = judge_function(exercise=exercise, framework=framework, function=as_student)
    assert [item.case.name for item in judged if not item.result.passed] == []


def test_softmax_reference_matches_torch_softmax():
    """On every softmax case the reference equals F.softmax in float64, rounded to float32."""
    exercise = exercise_get("softmax")
    for case in exercise.cases():
        x = case.inputs.args[0]
        dim = case.inputs.kwargs.get("dim", -1)
        expected = F.softmax(_t(x), dim=dim).numpy().astype(np.float32)
        np.testing.assert_allclose(exercise.expected(case.inputs), expected, rtol=1e-6, atol=0)
        assert np.isfinite(exercise.expected(case.inputs)).all()


def test_attention_reference_matches_torch_sdpa():
    """On every attention case the reference equals F.scaled_dot_product_attention (float64)."""
    exercise = exercise_get("attention")
    for case in exercise.cases():
        q, k, v = (_t(a) for a in case.inputs.args)
        batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
        q = q.expand(*batch, *q.shape[-2:])
        k = k.expand(*batch, *k.shape[-2:])
        v = v.expand(*batch, *v.shape[-2:])
        mask = case.inputs.kwargs.get("mask")
        attn_mask = None if mask is None else torch.from_numpy(np.array(mask))
        expected = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        np.testing.assert_allclose(
            exercise.expected(case.inputs),
            expected.numpy().astype(np.float32),
            rtol=1e-5,
            atol=1e-6,
        )


def test_lstm_reference_matches_float32_lstm_cell():
    """The reference agrees with a float32 nn.LSTMCell loaded with the same weights."""
    exercise = exercise_get("lstm-step")
    for case in exercise.cases():
        x, h, c, w_ih, w_hh, b_ih, b_hh = (torch.from_numpy(np.array(a)) for a in case.inputs.args)
        cell = torch.nn.LSTMCell(x.shape[1], h.shape[1])
        with torch.no_grad():
            cell.weight_ih.copy_(w_ih)
            cell.weight_hh.copy_(w_hh)
            cell.bias_ih.copy_(b_ih)
            cell.bias_hh.copy_(b_hh)
            h_next, c_next = cell(x, (h, c))
        got_h, got_c = exercise.expected(case.inputs)
        np.testing.assert_allclose(got_h, h_next.numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got_c, c_next.numpy(), rtol=1e-4, atol=1e-5)


def test_mlp_reference_matches_finite_differences():
    """The reference gradients agree with central finite differences of the float64 loss."""
    exercise = exercise_get("mlp-backprop")
    inputs = exercise.case_get(name="random sizes").inputs
    x, y, w1, b1, w2, b2 = (
        np.array(a, dtype=np.float64 if a.dtype != np.int64 else None) for a in inputs.args
    )

    def loss(params):
        p_w1, p_b1, p_w2, p_b2 = params
        logits = np.maximum(x @ p_w1 + p_b1, 0) @ p_w2 + p_b2
        logits = logits - logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -log_probs[np.arange(len(y)), y].mean()

    params = [w1, b1, w2, b2]
    expected = exercise.expected(inputs)
    assert expected["loss"] == pytest.approx(loss(params), rel=1e-6)
    rng = np.random.default_rng(0)
    for key, param in zip(("dw1", "db1", "dw2", "db2"), params, strict=True):
        for _ in range(5):
            index = tuple(int(rng.integers(0, n)) for n in param.shape)
            eps = 1e-6
            param[index] += eps
            up = loss(params)
            param[index] -= 2 * eps
            down = loss(params)
            param[index] += eps
            assert expected[key][index] == pytest.approx((up - down) / (2 * eps), abs=1e-6)


def test_conv_reference_matches_a_real_conv2d_and_the_formula():
    """Over many random argument sets, the reference equals the shape a real Conv2d produces,
    and raises ValueError exactly where Conv2d refuses or the arguments are invalid."""
    exercise = exercise_get("conv-output-size")
    rng = np.random.default_rng(7)
    raised = returned = 0
    for _ in range(300):
        h, w = (int(n) for n in rng.integers(1, 40, size=2))
        k = tuple(int(n) for n in rng.integers(0, 8, size=2))
        s = tuple(int(n) for n in rng.integers(0, 4, size=2))
        p = tuple(int(n) for n in rng.integers(-1, 4, size=2))
        d = tuple(int(n) for n in rng.integers(0, 4, size=2))
        try:
            result = exercise.reference(h, w, k, stride=s, padding=p, dilation=d)
        except ValueError:
            raised += 1
            invalid = min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0
            if not invalid:
                with pytest.raises(RuntimeError):
                    F.conv2d(torch.zeros(1, 1, h, w), torch.zeros(1, 1, *k), None, s, p, d)
            continue
        returned += 1
        out = F.conv2d(torch.zeros(1, 1, h, w), torch.zeros(1, 1, *k), None, s, p, d)
        assert result == tuple(out.shape[-2:])
        assert all(type(n) is int for n in result)
    assert raised > 30 and returned > 30


def test_conv_hidden_cases_mix_valid_and_invalid_arguments():
    """conv-output-size has hidden cases that must raise ValueError and ones that must not."""
    exercise = exercise_get("conv-output-size")
    outcomes = [exercise.expected(case.inputs) for case in exercise.cases() if case.hidden]
    assert sum(isinstance(o, Raises) for o in outcomes) >= 6
    assert sum(isinstance(o, tuple) for o in outcomes) >= 8
