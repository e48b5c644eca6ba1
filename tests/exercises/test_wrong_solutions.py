"""Typical mistakes fail the tests meant to catch them, with the right status and a message
that points at the mistake."""

from __future__ import annotations

import textwrap

import pytest

from exercises.registry import exercise_get
from tests.exercises.runner import by_name, judge_function, load_function


def judge(slug: str, framework: str, source: str):
    exercise = exercise_get(slug)
    function = load_function(source=textwrap.dedent(source), entry_point=exercise.entry_point)
    return by_name(
        judge_function(exercise=exercise, framework=framework, function=function, performance=False)
    )


UNSTABLE_SOFTMAX = {
    "torch": """
        import torch
        def softmax(x, dim=-1):
            e = torch.exp(x)
            return e / e.sum(dim=dim, keepdim=True)
    """,
    "numpy": """
        import numpy as np
        def softmax(x, dim=-1):
            e = np.exp(x)
            return e / e.sum(axis=dim, keepdims=True)
    """,
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("framework", ["torch", "numpy"])
def test_unstable_softmax_is_invalid_output_on_large_logits(framework):
    """exp without subtracting the max overflows: NaN on large logits -> invalid_output, while
    ordinary inputs still pass."""
    results = judge("softmax", framework, UNSTABLE_SOFTMAX[framework])
    large = results["stable for large logits"]
    assert large.status == "invalid_output"
    assert large.message.startswith("result: first NaN at index (")
    assert results["2-D input, default dim"].passed
    assert results["dim=0 on a 3-D input"].passed


def test_softmax_along_the_wrong_dim():
    """Ignoring dim (always the last axis) fails the dim tests with a message naming the dim."""
    results = judge(
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            e = torch.exp(x - x.amax(dim=-1, keepdim=True))
            return e / e.sum(dim=-1, keepdim=True)
        """,
    )
    wrong = results["dim=0 on a 3-D input"]
    assert wrong.status == "wrong_answer"
    assert "does not sum to 1 along dim=0" in wrong.message
    assert results["dim=1 on a 4-D input"].status == "wrong_answer"
    assert results["2-D input, default dim"].passed


def test_softmax_returning_ndarray_under_torch_is_invalid_output():
    """Under torch the function must return a tensor, not an ndarray."""
    results = judge(
        "softmax",
        "torch",
        """
        import numpy as np
        def softmax(x, dim=-1):
            x = x.numpy()
            e = np.exp(x - x.max(axis=dim, keepdims=True))
            return e / e.sum(axis=dim, keepdims=True)
        """,
    )
    assert {r.status for r in results.values()} == {"invalid_output"}
    assert results["1-D input"].message == "result: expected a torch.Tensor, got a numpy.ndarray"


def test_softmax_in_float64_is_invalid_output():
    """A float64 result where float32 is required is invalid_output naming both dtypes."""
    results = judge(
        "softmax",
        "numpy",
        """
        import numpy as np
        def softmax(x, dim=-1):
            x = x.astype(np.float64)
            e = np.exp(x - x.max(axis=dim, keepdims=True))
            return e / e.sum(axis=dim, keepdims=True)
        """,
    )
    assert results["1-D input"].status == "invalid_output"
    assert results["1-D input"].message == "result: expected dtype float32, got float64"


def test_softmax_mishandling_neg_inf():
    """Replacing -inf by a finite floor but then normalising wrongly gives wrong_answer."""
    results = judge(
        "softmax",
        "numpy",
        """
        import numpy as np
        def softmax(x, dim=-1):
            x = np.where(np.isinf(x), np.float32(-5.0), x)
            e = np.exp(x - x.max(axis=dim, keepdims=True))
            return e / e.sum(axis=dim, keepdims=True)
        """,
    )
    assert results["-inf entries get probability 0"].status == "wrong_answer"
    assert results["2-D input, default dim"].passed


ATTENTION_WITHOUT_SCALING = """
    import torch
    def scaled_dot_product_attention(q, k, v, mask=None):
        scores = q @ k.transpose(-1, -2)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        return torch.softmax(scores, dim=-1) @ v
"""


def test_attention_without_scaling_is_wrong_answer():
    """Forgetting 1/sqrt(D) is wrong_answer with the max abs error located; the result still
    lies in the hull of v, so the elementwise message is the one shown."""
    results = judge("attention", "torch", ATTENTION_WITHOUT_SCALING)
    wrong = results["batch and heads (B, H, L, D)"]
    assert wrong.status == "wrong_answer"
    assert wrong.message.startswith("result: max abs error ")
    assert "elements outside rtol=1.0e-4, atol=1.0e-5" in wrong.message
    assert results["a single key (S = 1)"].passed


def test_attention_ignoring_the_mask():
    """An ignored mask fails every masked test and passes the unmasked ones."""
    results = judge(
        "attention",
        "numpy",
        """
        import numpy as np
        def scaled_dot_product_attention(q, k, v, mask=None):
            s = q @ np.swapaxes(k, -1, -2) / np.sqrt(np.float32(q.shape[-1]))
            s = s - s.max(axis=-1, keepdims=True)
            w = np.exp(s)
            return (w / w.sum(axis=-1, keepdims=True)) @ v
        """,
    )
    for name in (
        "causal mask",
        "padding mask of shape (B, 1, 1, S)",
        "masked positions with large logits",
    ):
        assert results[name].status == "wrong_answer", name
    assert results["random shapes and ranks"].passed


def test_attention_mixing_values_outside_v_violates_the_hull():
    """Adding a bias to the output leaves the convex hull of v: wrong_answer saying so."""
    results = judge(
        "attention",
        "numpy",
        """
        import numpy as np
        def scaled_dot_product_attention(q, k, v, mask=None):
            s = q @ np.swapaxes(k, -1, -2) / np.sqrt(np.float32(q.shape[-1]))
            if mask is not None:
                s = np.where(mask, s, -np.inf)
            w = np.exp(s - s.max(axis=-1, keepdims=True))
            return (w / w.sum(axis=-1, keepdims=True)) @ v + np.float32(10.0)
        """,
    )
    wrong = results["single head, no batch dimensions"]
    assert wrong.status == "wrong_answer"
    assert "the range of v" in wrong.message


def test_lstm_with_the_wrong_gate_order():
    """Reading the gates as (i, f, o, g) instead of (i, f, g, o) is wrong_answer naming both
    outputs."""
    results = judge(
        "lstm-step",
        "torch",
        """
        import torch
        def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
            gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
            i, f, o, g = gates.chunk(4, dim=1)
            c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            return torch.sigmoid(o) * torch.tanh(c_next), c_next
        """,
    )
    wrong = results["random sizes"]
    assert wrong.status == "wrong_answer"
    assert wrong.message.startswith("wrong parts: h_next, c_next.")
    assert wrong.score == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_lstm_naive_tanh_overflows_on_saturated_gates():
    """tanh written as a ratio of exponentials gives NaN for large pre-activations."""
    results = judge(
        "lstm-step",
        "numpy",
        """
        import numpy as np
        def tanh(z):
            return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
        def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
            gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
            i, f, g, o = np.split(gates, 4, axis=1)
            s = lambda z: 1 / (1 + np.exp(-z))
            c_next = s(f) * c + s(i) * tanh(g)
            return s(o) * tanh(c_next), c_next
        """,
    )
    saturated = results["stable for large pre-activations (saturated gates)"]
    assert saturated.status == "invalid_output"
    assert "first NaN" in saturated.message
    assert results["random sizes"].passed


def test_lstm_returning_a_single_array():
    """Returning only h_next is invalid_output."""
    results = judge(
        "lstm-step",
        "numpy",
        """
        import numpy as np
        def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
            return h
        """,
    )
    assert results["a batch of one"].status == "invalid_output"
    assert results["a batch of one"].message == "expected a tuple (h_next, c_next), got ndarray"


MLP_WRONG_DB1 = """
    import numpy as np
    def mlp_backward(x, y, w1, b1, w2, b2):
        n = x.shape[0]
        z = x @ w1 + b1
        h = np.maximum(z, 0)
        logits = h @ w2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(n), y].mean()
        d = np.exp(log_probs)
        d[np.arange(n), y] -= 1
        d /= n
        dh = d @ w2.T
        dz = dh * (z > 0)
        return {"loss": loss, "dw1": x.T @ dz, "db1": dh.sum(axis=0),
                "dw2": h.T @ d, "db2": d.sum(axis=0)}
"""


def test_mlp_with_one_wrong_gradient_gets_partial_credit():
    """db1 without the ReLU mask: 4/5 of the points, the message names db1 only."""
    results = judge("mlp-backprop", "numpy", MLP_WRONG_DB1)
    wrong = results["dead ReLU units get zero gradient"]
    assert wrong.status == "wrong_answer"
    assert wrong.score == pytest.approx(0.8)
    assert wrong.message.startswith("wrong part: db1 (correct: loss, dw1, dw2, db2).")
    assert "db1: max abs error" in wrong.message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_mlp_unstable_cross_entropy():
    """log(softmax) without the max shift overflows on large logits: the loss is not finite."""
    results = judge(
        "mlp-backprop",
        "torch",
        """
        import torch
        def mlp_backward(x, y, w1, b1, w2, b2):
            n = x.shape[0]
            z = x @ w1 + b1
            h = torch.relu(z)
            logits = h @ w2 + b2
            p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
            rows = torch.arange(n)
            loss = -torch.log(p[rows, y]).mean()
            d = p.clone()
            d[rows, y] -= 1
            d /= n
            dz = (d @ w2.T) * (z > 0)
            return {"loss": loss, "dw1": x.T @ dz, "db1": dz.sum(0), "dw2": h.T @ d,
                    "db2": d.sum(0)}
        """,
    )
    large = results["stable cross-entropy for large logits"]
    assert large.status == "invalid_output"
    assert "loss" in large.message
    assert results["random sizes"].passed


CONV_IGNORING_DILATION = """
    def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
        pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
        k, s, p = pair(kernel_size), pair(stride), pair(padding)
        if min(k) < 1 or min(s) < 1 or min(p) < 0:
            raise ValueError("invalid")
        out = tuple((n + 2 * pp - kk) // ss + 1 for n, kk, ss, pp in zip((h, w), k, s, p))
        if min(out) < 1:
            raise ValueError("too small")
        return out
"""


def test_conv_ignoring_dilation():
    """Ignoring dilation fails the dilation tests; the dilated-too-large case shows that a
    ValueError was expected."""
    results = judge("conv-output-size", "python", CONV_IGNORING_DILATION)
    assert results["dilation 2"].status == "wrong_answer"
    assert results["dilation 2"].message.startswith("result: expected (")
    too_large = results["dilated kernel larger than the input raises ValueError"]
    assert too_large.status == "wrong_answer"
    assert too_large.message.startswith("expected ValueError to be raised, but the call returned")
    assert results["int kernel, default stride, padding and dilation"].passed
    assert results["zero stride raises ValueError"].passed


def test_conv_returning_floats_is_invalid_output():
    """True division gives floats: invalid_output, even when the value is right."""
    results = judge(
        "conv-output-size",
        "python",
        """
        def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
            return (float(h - kernel_size + 1), float(w - kernel_size + 1))
        """,
    )
    sample = results["sample: 3x3 kernel"]
    assert sample.status == "invalid_output"
    assert sample.message == "result: item 0 must be a Python int, got float (30.0)"


def test_conv_raising_the_wrong_exception():
    """ZeroDivisionError for a zero stride is not the ValueError the contract asks for."""
    results = judge(
        "conv-output-size",
        "python",
        """
        def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
            s = stride if isinstance(stride, (tuple, list)) else (stride, stride)
            return tuple((n - kernel_size) // ss + 1 for n, ss in zip((h, w), s))
        """,
    )
    zero = results["zero stride raises ValueError"]
    assert zero.status == "wrong_answer"
    assert zero.message == "expected ValueError, but ZeroDivisionError was raised"
