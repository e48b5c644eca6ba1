"""Grading end to end through the real sandbox: right, wrong, slow and forbidden submissions get
the verdicts, scores and messages CONTRACT §2 promises."""

from __future__ import annotations

import textwrap

import pytest

from exercises.registry import exercise_get, exercise_list
from grader.grading import GradeResult, allowed_time_ms, grade
from grader.sandbox import Sandbox, sandbox_self_test

PAIRS = [(e.slug, framework) for e in exercise_list() for framework in e.frameworks]


@pytest.fixture(scope="module")
def sandbox():
    # Isolated where the host allows it; the grading logic under test is the same either way.
    box = Sandbox(unsafe=sandbox_self_test() is not None)
    yield box
    box.close()


def run(sandbox, slug: str, framework: str, source: str, **options) -> GradeResult:
    return grade(
        exercise=exercise_get(slug),
        framework=framework,
        source=textwrap.dedent(source),
        sandbox=sandbox,
        **options,
    )


def statuses(result: GradeResult) -> dict[str, str]:
    return {test.name: test.status for test in result.tests}


@pytest.mark.parametrize(("slug", "framework"), PAIRS)
def test_model_solutions_are_accepted(sandbox, slug, framework):
    """A right solution in every framework is accepted with full marks, every test passed, the
    performance test included."""
    exercise = exercise_get(slug)
    result = run(sandbox, slug, framework, exercise.solution_source(framework=framework))
    assert result.verdict == "accepted", [(t.name, t.status, t.message) for t in result.tests]
    assert result.score == result.max_score == exercise.max_score
    assert len(result.tests) == len(exercise.cases())
    assert all(test.score == test.max_score for test in result.tests)
    assert sum(test.max_score for test in result.tests) == pytest.approx(
        exercise.max_score, abs=1e-3
    )
    assert all(test.time_ms is not None for test in result.tests)
    if exercise.performance is not None:
        assert result.tests[-1].message.startswith("total time ")


def test_unstable_softmax_is_invalid_output(sandbox):
    """exp without the max shift: NaN on large logits, verdict invalid_output, partial score;
    the hidden test's message exists (the web side hides it)."""
    result = run(
        sandbox,
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            e = torch.exp(x)
            return e / e.sum(dim=dim, keepdim=True)
        """,
    )
    assert result.verdict == "invalid_output"
    assert 0 < result.score < result.max_score
    large = next(t for t in result.tests if t.name == "stable for large logits")
    assert large.hidden and large.status == "invalid_output" and large.score == 0
    assert large.message.startswith("result: first NaN at index (")
    assert statuses(result)["2-D input, default dim"] == "passed"


def test_attention_without_scaling_is_wrong_answer(sandbox):
    """Forgetting 1/sqrt(D): wrong_answer with the worst error located in each message."""
    result = run(
        sandbox,
        "attention",
        "numpy",
        """
        import numpy as np
        def scaled_dot_product_attention(q, k, v, mask=None):
            s = q @ np.swapaxes(k, -1, -2)
            if mask is not None:
                s = np.where(mask, s, -np.inf)
            w = np.exp(s - s.max(axis=-1, keepdims=True))
            return (w / w.sum(axis=-1, keepdims=True)) @ v
        """,
    )
    assert result.verdict == "wrong_answer"
    wrong = [t for t in result.tests if t.status == "wrong_answer"]
    assert wrong and all("max abs error" in t.message for t in wrong)


def test_mlp_with_one_wrong_gradient_gets_partial_credit(sandbox):
    """db1 without the ReLU mask: verdict wrong_answer, 4/5 of a failing test's points, and the
    message names db1."""
    result = run(
        sandbox,
        "mlp-backprop",
        "torch",
        """
        import torch
        def mlp_backward(x, y, w1, b1, w2, b2):
            n = x.shape[0]
            z = x @ w1 + b1
            h = torch.clamp(z, min=0)
            logits = h @ w2 + b2
            shifted = logits - logits.amax(dim=1, keepdim=True)
            log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
            rows = torch.arange(n)
            loss = -log_probs[rows, y].mean()
            d = torch.exp(log_probs)
            d[rows, y] -= 1
            d /= n
            dh = d @ w2.T
            dz = dh * (z > 0)
            return {"loss": loss, "dw1": x.T @ dz, "db1": dh.sum(0), "dw2": h.T @ d,
                    "db2": d.sum(0)}
        """,
    )
    assert result.verdict == "wrong_answer"
    dead = next(t for t in result.tests if t.name == "dead ReLU units get zero gradient")
    assert dead.score == pytest.approx(0.8 * dead.max_score, abs=1e-3)
    assert dead.message.startswith("wrong part: db1 (correct: loss, dw1, dw2, db2).")
    assert 0.5 * result.max_score < result.score < result.max_score


def test_lstm_with_the_wrong_gate_order(sandbox):
    """Gates read as (i, f, o, g): wrong_answer."""
    result = run(
        sandbox,
        "lstm-step",
        "numpy",
        """
        import numpy as np
        def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
            gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
            i, f, o, g = np.split(gates, 4, axis=1)
            s = lambda z: 0.5 * (1 + np.tanh(0.5 * z))
            c_next = s(f) * c + s(i) * np.tanh(g)
            return s(o) * np.tanh(c_next), c_next
        """,
    )
    assert result.verdict == "wrong_answer"
    assert "h_next" in next(t for t in result.tests if t.status == "wrong_answer").message


def test_conv_ignoring_dilation(sandbox):
    """Ignoring dilation: wrong_answer on the dilation tests, the rest passes."""
    result = run(
        sandbox,
        "conv-output-size",
        "python",
        """
        def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
            pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
            k, s, p = pair(kernel_size), pair(stride), pair(padding)
            if min(k) < 1 or min(s) < 1 or min(p) < 0 or min(pair(dilation)) < 1:
                raise ValueError("invalid")
            out = tuple((n + 2 * pp - kk) // ss + 1 for n, kk, ss, pp in zip((h, w), k, s, p))
            if min(out) < 1:
                raise ValueError("too small")
            return out
        """,
    )
    found = statuses(result)
    assert result.verdict == "wrong_answer"
    assert found["dilation 2"] == "wrong_answer"
    assert found["dilated kernel larger than the input raises ValueError"] == "wrong_answer"
    assert found["zero stride raises ValueError"] == "passed"
    assert found["sample: kernel larger than the input"] == "passed"


def test_python_loop_softmax_is_too_slow(sandbox):
    """A correct softmax that loops over elements in Python passes every correctness test and
    fails the performance test with too_slow or time_limit_exceeded."""
    result = run(
        sandbox,
        "softmax",
        "numpy",
        """
        import math
        import numpy as np
        def softmax(x, dim=-1):
            moved = np.moveaxis(np.array(x, dtype=np.float64), dim, -1)
            flat = moved.reshape(-1, moved.shape[-1])
            out = np.empty_like(flat)
            for r in range(flat.shape[0]):
                m = max(flat[r, j] for j in range(flat.shape[1]))
                total = 0.0
                for j in range(flat.shape[1]):
                    out[r, j] = math.exp(flat[r, j] - m) if flat[r, j] != -math.inf else 0.0
                    total += out[r, j]
                for j in range(flat.shape[1]):
                    out[r, j] /= total
            return np.moveaxis(out.reshape(moved.shape), -1, dim).astype(np.float32)
        """,
    )
    perf = result.tests[-1]
    assert perf.name.startswith("fast enough")
    assert perf.status in ("too_slow", "time_limit_exceeded")
    assert result.verdict == perf.status
    assert all(t.status == "passed" for t in result.tests[:-1])
    assert result.score == pytest.approx(result.max_score - perf.max_score, abs=1e-3)


def test_library_softmax_is_forbidden(sandbox):
    """torch.softmax in a softmax submission: every test forbidden_api, score 0."""
    result = run(
        sandbox,
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            return torch.softmax(x, dim=dim)
        """,
    )
    assert result.verdict == "forbidden_api"
    assert result.score == 0
    assert {t.status for t in result.tests} == {"forbidden_api"}
    assert "torch.softmax" in result.tests[0].message


def test_forbidden_call_reached_by_getattr_is_caught_at_run_time(sandbox):
    """A forbidden function reached through getattr is caught while running: forbidden_api."""
    result = run(
        sandbox,
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            return getattr(torch.nn.functional, "soft" + "max")(x, dim=dim)
        """,
    )
    assert result.verdict == "forbidden_api"
    assert result.score == 0
    assert {t.status for t in result.tests} == {"forbidden_api"}


def test_library_softmax_inside_attention_is_forbidden(sandbox):
    """Attention students write the softmax too: the library's, inside attention, is
    forbidden_api, named by its operator family."""
    result = run(
        sandbox,
        "attention",
        "torch",
        """
        import math
        import torch
        def scaled_dot_product_attention(q, k, v, mask=None):
            s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
            if mask is not None:
                s = s.masked_fill(~mask, float("-inf"))
            return getattr(torch, "soft" + "max")(s, dim=-1) @ v
        """,
    )
    assert result.verdict == "forbidden_api"
    assert {t.status for t in result.tests} == {"forbidden_api"}
    assert "operator family softmax" in result.tests[0].message


@pytest.mark.parametrize(
    "source",
    [
        "def softmax(x, dim=-1)\n    return x\n",
        "def soft_max(x, dim=-1):\n    return x\n",
    ],
    ids=["syntax error", "missing entry point"],
)
def test_compile_errors(sandbox, source):
    """Code that does not compile or lacks the entry point: compile_error, nothing run."""
    result = run(sandbox, "softmax", "numpy", source)
    assert result.verdict == "compile_error"
    assert result.compile_message
    assert result.score == 0
    assert {t.status for t in result.tests} == {"not_run"}


def test_exception_in_the_function_is_a_runtime_error(sandbox):
    """An exception where none is expected is runtime_error with the exception in the message."""
    result = run(
        sandbox,
        "lstm-step",
        "torch",
        """
        def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
            return {}["missing"]
        """,
    )
    assert result.verdict == "runtime_error"
    assert "KeyError" in result.tests[0].message


def test_ndarray_under_torch_is_invalid_output(sandbox):
    """Under torch an ndarray anywhere in the result is invalid_output."""
    result = run(
        sandbox,
        "mlp-backprop",
        "torch",
        exercise_get("mlp-backprop")
        .solution_source(framework="numpy")
        .replace(
            "def mlp_backward(x, y, w1, b1, w2, b2):\n",
            "def mlp_backward(x, y, w1, b1, w2, b2):\n"
            "    x, y, w1, b1, w2, b2 = (a.numpy() for a in (x, y, w1, b1, w2, b2))\n",
        ),
        samples_only=True,
    )
    assert result.verdict == "invalid_output"
    assert "expected a torch.Tensor, got a numpy.ndarray" in result.tests[0].message


def test_inputs_modified_in_place_do_not_affect_the_grade(sandbox):
    """A submission that overwrites its input in place is still judged on the original inputs,
    and a second grading sees unchanged inputs."""
    source = """
        import numpy as np
        def softmax(x, dim=-1):
            x -= x.max(axis=dim, keepdims=True)
            np.exp(x, out=x)
            x /= x.sum(axis=dim, keepdims=True)
            return x
        """
    first = run(sandbox, "softmax", "numpy", source)
    second = run(sandbox, "softmax", "numpy", source)
    assert first.verdict == second.verdict == "accepted"


def test_samples_only_runs_the_visible_tests(sandbox):
    """samples_only: just the visible samples, none hidden, full score when they pass."""
    exercise = exercise_get("conv-output-size")
    result = run(
        sandbox,
        "conv-output-size",
        "python",
        exercise.solution_source(framework="python"),
        samples_only=True,
    )
    assert [t.name for t in result.tests] == [s.name for s in exercise.samples]
    assert not any(t.hidden for t in result.tests)
    assert result.verdict == "accepted"
    assert result.score == result.max_score


def test_time_multiplier_scales_the_performance_allowance():
    """The instructor's time multiplier scales the allowed time of the performance test."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[-1]
    one = allowed_time_ms(
        exercise=exercise, framework="numpy", case=case, device="cpu", time_multiplier=1.0
    )
    three = allowed_time_ms(
        exercise=exercise, framework="numpy", case=case, device="cpu", time_multiplier=3.0
    )
    assert three == pytest.approx(3 * one)
    assert one > exercise.performance.slack_ms
