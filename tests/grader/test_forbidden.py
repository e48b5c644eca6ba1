"""Forbidden APIs: caught statically (AST) and at run time in the sandbox, naming the call, while
legitimate neighbours keep working."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from exercises.registry import exercise_list
from grader.forbidden import OP_FAMILIES, forbidden_static
from grader.sandbox import Call, Job

from .conftest import SMALL_LIMITS, SOFTMAX_TORCH, assert_grades_softmax, softmax_reference

SOFTMAX_FORBIDDEN = (
    "torch.softmax",
    "torch.log_softmax",
    "torch.Tensor.softmax",
    "torch.Tensor.log_softmax",
    "torch.nn.functional.softmax",
    "torch.nn.functional.log_softmax",
    "torch.nn.Softmax",
    "torch.special.softmax",
    "scipy.special.softmax",
)
ATTENTION_FORBIDDEN = (
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention",
    "torch.nn.functional.multi_head_attention_forward",
)
AUTOGRAD_FORBIDDEN = ("torch.autograd", "torch.Tensor.backward", "torch.func")


def static(source: str, forbidden=SOFTMAX_FORBIDDEN) -> str | None:
    return forbidden_static(tree=ast.parse(source), forbidden=forbidden)


@pytest.mark.parametrize(
    "source, named",
    [
        ("import torch\ndef f(x): return torch.softmax(x, -1)", "torch.softmax"),
        ("import torch as t\ndef f(x): return t.softmax(x, -1)", "torch.softmax"),
        (
            "import torch.nn.functional as F\ndef f(x): return F.softmax(x, -1)",
            "torch.nn.functional.softmax",
        ),
        (
            "from torch.nn import functional as F\ndef f(x): return F.softmax(x, -1)",
            "torch.nn.functional.softmax",
        ),
        ("from torch import softmax\n", "torch.softmax"),
        ("from torch import softmax as s\n", "torch.softmax"),
        ("def f(x): return x.softmax(-1)", "torch.Tensor.softmax"),
        ("def f(x): return x.log_softmax(-1)", "torch.Tensor.log_softmax"),
        ("import torch\nm = torch.nn.Softmax(dim=1)", "torch.nn.Softmax"),
        ("from scipy.special import softmax", "scipy.special.softmax"),
        ("import torch\nf = torch.Tensor.softmax", "torch.Tensor.softmax"),
    ],
)
def test_static_check_resolves_aliases_and_attribute_chains(source, named):
    """Every spelling of a forbidden call is found and named, with its line."""
    message = static(source)
    assert message is not None and named in message and "line" in message


@pytest.mark.parametrize(
    "source, named",
    [
        ("import torch.autograd\n", "torch.autograd"),
        ("from torch.autograd import grad\n", "torch.autograd"),
        ("from torch import autograd\n", "torch.autograd"),
        ("import torch\ndef f(l): torch.autograd.grad(l, [])", "torch.autograd.grad"),
        ("def f(loss): loss.backward()", "torch.Tensor.backward"),
        ("from torch.func import grad\n", "torch.func"),
        ("import torch.func as tf\n", "torch.func"),
    ],
)
def test_static_check_catches_forbidden_modules(source, named):
    """Importing or using a forbidden module (or a member of it) is found."""
    message = static(source, AUTOGRAD_FORBIDDEN)
    assert message is not None and named in message


@pytest.mark.parametrize(
    "source, forbidden",
    [
        (SOFTMAX_TORCH, SOFTMAX_FORBIDDEN),
        (
            "import torch\ndef softmax(x, dim=-1):\n    return torch.exp(x - torch.logsumexp(x, dim, True))",
            SOFTMAX_FORBIDDEN,
        ),
        (
            "import numpy as np\ndef softmax(x, axis=-1):\n    e = np.exp(x - x.max(axis, keepdims=True))\n    return e / e.sum(axis, keepdims=True)",
            SOFTMAX_FORBIDDEN,
        ),
        (
            "import torch\ndef attention(q, k, v):\n    return torch.softmax(q @ k.transpose(-1, -2), -1) @ v",
            ATTENTION_FORBIDDEN,
        ),
        (
            "import torch\ndef f(x):\n    with torch.no_grad():\n        return x.relu()",
            AUTOGRAD_FORBIDDEN,
        ),
    ],
)
def test_static_check_allows_legitimate_neighbours(source, forbidden):
    """The student's own `softmax`, logsumexp, exp, max, and softmax inside attention pass."""
    assert static(source, forbidden) is None


def _run(sandbox, source: str, forbidden, *, entry="f", args=None):
    x = np.random.default_rng(1).standard_normal((2, 4)).astype(np.float32)
    job = Job(
        source=source,
        entry_point=entry,
        framework="torch",
        calls=(Call(name="c", args=args if args is not None else (x,), kwargs={}),),
        limits=SMALL_LIMITS,
        forbidden=tuple(forbidden),
    )
    return sandbox.run(job), x


@pytest.mark.parametrize(
    "body, named",
    [
        ('return getattr(x, "soft" + "max")(-1)', "torch.Tensor.softmax"),
        ('return getattr(torch, "soft" + "max")(x, -1)', "torch.softmax"),
        ('return getattr(torch.nn.functional, "soft" + "max")(x, -1)', "softmax"),
        ('return getattr(torch._C._VariableFunctions, "soft" + "max")(x, -1)', "torch.softmax"),
        ('return getattr(torch._C.TensorBase, "soft" + "max")(x, -1)', "torch.Tensor.softmax"),
        ('return getattr(getattr(torch, "nn"), "Soft" + "max")(dim=-1)(x)', "torch.nn.Softmax"),
        ('return getattr(torch.ops.aten, "_soft" + "max")(x, -1, False)', "softmax"),
        ('return eval("torch.soft" + "max")(x, -1)', "torch.softmax"),
        (
            'return __import__("importlib").import_module("torch.nn.functional").__dict__["soft" + "max"](x, -1)',
            "softmax",
        ),
    ],
)
def test_runtime_guard_catches_dynamic_access(sandbox, body, named):
    """Calls the AST cannot see are stopped in the child and reported as forbidden_api."""
    source = f"import torch\ndef f(x):\n    {body}\n"
    result, _ = _run(sandbox, source, SOFTMAX_FORBIDDEN)
    assert result.forbidden_api is None  # the static check did not see it
    outcome = result.outcomes[0]
    assert outcome.status == "forbidden_api", outcome
    assert named in outcome.message
    assert_grades_softmax(sandbox)


def test_static_detection_skips_running(sandbox):
    """A statically found forbidden call marks every test forbidden_api without running."""
    result, _ = _run(sandbox, "import torch\ndef f(x):\n    return torch.softmax(x, -1)\n",
                     SOFTMAX_FORBIDDEN)  # fmt: skip
    assert result.forbidden_api and "torch.softmax" in result.forbidden_api
    assert [o.status for o in result.outcomes] == ["forbidden_api"]


def test_forbidden_call_caught_even_if_the_student_catches_exceptions(sandbox):
    """A bare except around the forbidden call does not hide it."""
    source = (
        "import torch\ndef f(x):\n    try:\n        return getattr(x, 'soft' + 'max')(-1)\n"
        "    except BaseException:\n        return x\n"
    )
    result, _ = _run(sandbox, source, SOFTMAX_FORBIDDEN)
    assert result.outcomes[0].status == "forbidden_api"


def test_forbidden_call_at_import_is_reported(sandbox):
    """Calling a forbidden API while the module loads is forbidden_api too."""
    source = (
        "import torch\ngetattr(torch, 'soft' + 'max')(torch.zeros(2), 0)\ndef f(x):\n    return x\n"
    )
    result, _ = _run(sandbox, source, SOFTMAX_FORBIDDEN)
    assert result.outcomes[0].status == "forbidden_api"


def test_softmax_neighbours_run_under_guards(sandbox):
    """logsumexp, exp, max, printing a tensor and no_grad all work with softmax forbidden."""
    source = (
        "import torch\ndef softmax(x, dim=-1):\n    print(x)\n    with torch.no_grad():\n"
        "        y = torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))\n"
        "    return y * (x.max() - x.max() + 1)\n"
    )
    result, x = _run(sandbox, source, SOFTMAX_FORBIDDEN + AUTOGRAD_FORBIDDEN, entry="softmax")
    outcome = result.outcomes[0]
    assert outcome.status == "ok", (outcome, result.stderr)
    np.testing.assert_allclose(outcome.value, softmax_reference(x), rtol=1e-5, atol=1e-6)
    assert "tensor(" in result.stdout


def test_softmax_inside_attention_is_allowed(sandbox):
    """With only attention APIs forbidden, torch.softmax stays usable."""
    source = (
        "import torch, math\ndef attention(q, k, v):\n"
        "    w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), dim=-1)\n"
        "    return w @ v\n"
    )
    q = np.random.default_rng(2).standard_normal((2, 3, 4)).astype(np.float32)
    result, _ = _run(sandbox, source, ATTENTION_FORBIDDEN, entry="attention", args=(q, q, q))
    assert result.outcomes[0].status == "ok", result.outcomes[0]


def test_attention_builtin_is_caught_dynamically(sandbox):
    """The built-in attention reached through getattr is forbidden."""
    source = (
        "import torch\ndef attention(q, k, v):\n"
        "    F = torch.nn.functional\n"
        "    return getattr(F, 'scaled_dot_product_' + 'attention')(q, k, v)\n"
    )
    q = np.random.default_rng(2).standard_normal((2, 3, 4)).astype(np.float32)
    result, _ = _run(sandbox, source, ATTENTION_FORBIDDEN, entry="attention", args=(q, q, q))
    assert result.outcomes[0].status == "forbidden_api"
    assert "scaled_dot_product_attention" in result.outcomes[0].message


@pytest.mark.parametrize(
    "body",
    [
        "x = x.clone().requires_grad_(); getattr(x.sum(), 'back' + 'ward')(); return x.grad",
        "x = x.clone().requires_grad_(); return getattr(getattr(torch, 'auto' + 'grad'), 'gr' + 'ad')(x.sum(), [x])[0]",
        "return getattr(__import__('torch.func').func, 'gr' + 'ad')(lambda t: t.sum())(x)",
        "x = x.clone().requires_grad_(); s = x.sum(); "
        "__import__('sys').modules['torch.' + 'autograd.variable'].Variable._execution_engine"
        ".run_backward((s,), (torch.ones(()),), False, False, (), False); return x",
    ],
)
def test_autograd_of_any_kind_is_caught(sandbox, body):
    """Backward passes by any route are forbidden_api when autograd is forbidden."""
    source = f"import torch\ndef f(x):\n    {body}\n"
    result, _ = _run(sandbox, source, AUTOGRAD_FORBIDDEN)
    assert result.forbidden_api is None
    assert result.outcomes[0].status == "forbidden_api", result.outcomes[0]


# Operator families ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, families, named",
    [
        ("import torch\ndef f(x): return torch.nn.functional.softmax(x, -1)", ("softmax",),
         "torch.nn.functional.softmax"),
        ("import torch as t\ndef f(x): return t.ops.aten._safe_softmax(x, -1)", ("softmax",),
         "torch.ops.aten._safe_softmax"),
        ("import torch\nop = torch._C._jit_get_operation('aten::_softmax')", ("softmax",),
         "aten::_softmax"),
        ("from torch.nn import functional as F\ny = F.conv3d", ("convolution",),
         "torch.nn.functional.conv3d"),
        ("import torch\ncell = torch.nn.LSTMCell(3, 4)", ("rnn",), "torch.nn.LSTMCell"),
        ("import torch\nm = torch.nn.MultiheadAttention(4, 1)", ("attention",),
         "torch.nn.MultiheadAttention"),
        ("import torch\ndef f(l): torch.autograd.grad(l, [])", ("autograd",),
         "torch.autograd.grad"),
    ],
)  # fmt: skip
def test_static_check_names_a_family_routine_with_its_line(source, families, named):
    """A torch attribute or an operator name of a forbidden family is found statically, named,
    with its line, without any name listed."""
    message = forbidden_static(tree=ast.parse(source), forbidden=(), families=families)
    assert message is not None and named in message and "line" in message


@pytest.mark.parametrize(
    "source, families",
    [
        ("import torch\ndef f(x): return torch.exp(x - torch.logsumexp(x, -1, True))",
         ("softmax",)),
        ("import torch\ndef f(q, k): return torch.softmax(q @ k.T, -1)", ("attention",)),
        ("import torch\ndef f(x): return torch.nn.functional.pad(x, (1, 1)).unfold(0, 3, 1)",
         ("convolution",)),
        ("import torch\ndef f(x, w): return torch.sigmoid(x @ w).tanh()", ("rnn",)),
        ("def softmax(x):\n    return x\nsoftmax(1)", ("softmax",)),
    ],
)  # fmt: skip
def test_static_family_check_allows_neighbours(source, families):
    """The neighbours of a family (logsumexp beside softmax, softmax beside attention, padding
    and unfold beside convolution) and the student's own functions named like it pass."""
    assert forbidden_static(tree=ast.parse(source), forbidden=(), families=families) is None


def _run_ops(sandbox, source: str, families, *, entry="f", args=None):
    x = np.random.default_rng(1).standard_normal((2, 4)).astype(np.float32)
    job = Job(
        source=source,
        entry_point=entry,
        framework="torch",
        calls=(Call(name="c", args=args if args is not None else (x,), kwargs={}),),
        limits=SMALL_LIMITS,
        forbidden_ops=tuple(families),
    )
    return sandbox.run(job), x


def test_family_neighbours_run_under_the_operator_guard(sandbox):
    """With the softmax family refused, logsumexp, exp, max, printing a tensor, no_grad, a thread
    and a custom class all run, and the value comes back."""
    source = (
        "import threading, torch\n"
        "class Box:\n    def __init__(self, t):\n        self.t = t\n"
        "def softmax(x, dim=-1):\n    print(x)\n    box = []\n"
        "    worker = threading.Thread(target=lambda: box.append(Box(x * 1)))\n"
        "    worker.start(); worker.join()\n"
        "    with torch.no_grad():\n"
        "        y = torch.exp(box[0].t - torch.logsumexp(x, dim=dim, keepdim=True))\n"
        "    return y * (x.max() - x.max() + 1)\n"
    )
    result, x = _run_ops(sandbox, source, ("softmax",), entry="softmax")
    outcome = result.outcomes[0]
    assert outcome.status == "ok", (outcome, result.stderr)
    np.testing.assert_allclose(outcome.value, softmax_reference(x), rtol=1e-5, atol=1e-6)
    assert "tensor(" in result.stdout


def test_softmax_stays_usable_where_only_attention_is_refused(sandbox):
    """The attention family does not include softmax: torch.softmax inside a hand-written
    attention runs."""
    source = (
        "import torch, math\ndef attention(q, k, v):\n"
        "    w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), dim=-1)\n"
        "    return w @ v\n"
    )
    q = np.random.default_rng(2).standard_normal((2, 3, 4)).astype(np.float32)
    result, _ = _run_ops(sandbox, source, ("attention",), entry="attention", args=(q, q, q))
    assert result.outcomes[0].status == "ok", result.outcomes[0]


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nw = torch.zeros(2, requires_grad=True)\n(w * 2).sum()\n"
        "def f(x):\n    return x\n",
        "import torch\ndef f(x):\n    return getattr(torch.ops.aten, 'threshold_' + 'backward')(x, x, 0.0)\n",
        "import torch\ndef f(x):\n    g = getattr(__import__('torch._functorch.apis').\n"
        "        _functorch.apis, 'gr' + 'ad')\n    return g(lambda t: (t * t).sum())(x)\n",
    ],
    ids=["a graph built at import", "a backward kernel", "torch._functorch's grad"],
)
def test_autograd_family_refuses_graphs_backward_kernels_and_transforms(sandbox, source):
    """With the autograd family refused, any operator on a tensor that requires grad, a backward
    kernel and a functorch transform are forbidden_api, at import or in the call."""
    result, _ = _run_ops(sandbox, source, ("autograd",))
    assert result.outcomes[0].status == "forbidden_api", (result.outcomes[0], result.stderr)


def test_switching_the_guard_off_at_import_is_forbidden(sandbox):
    """Taking the operator guard's mode off while loading is forbidden_api on the first call,
    reported while loading."""
    source = (
        "import torch\ngetattr(torch._C, '_pop_torch_' + 'dispatch_stack')()\n"
        "def f(x):\n    return x\n"
    )
    result, _ = _run_ops(sandbox, source, ("softmax",))
    outcome = result.outcomes[0]
    assert outcome.status == "forbidden_api"
    assert "while loading" in outcome.message and "operator guard" in outcome.message


def test_unknown_operator_family_is_the_callers_error(sandbox):
    """A job naming a family that does not exist is a ValueError of the trusted caller."""
    with pytest.raises(ValueError, match="operator families"):
        _run_ops(sandbox, "def f(x):\n    return x\n", ("sofmax",))


def test_every_exercise_names_known_families():
    """Each exercise's forbidden_ops are declared families."""
    for exercise in exercise_list():
        assert set(exercise.forbidden_ops) <= set(OP_FAMILIES), exercise.slug
