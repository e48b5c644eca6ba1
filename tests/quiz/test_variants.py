"""Generated variants: answers checked against real torch layers, not the module's formulas."""

import math

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from dlquiz.quiz.grading import answer_is_correct
from dlquiz.quiz.variants import CLASSIC_NETS, TEMPLATES, classic_net_shapes, variant_generate

SEEDS = range(40)


def params_of(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_there_are_at_least_six_templates():
    """At least six parameterised templates are registered, each under its own key."""
    assert len(TEMPLATES) >= 6
    assert all(key == t.key for key, t in TEMPLATES.items())


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_same_seed_same_variant_other_seeds_vary(key):
    """A (template, seed) pair is reproducible, and different seeds draw different numbers."""
    assert variant_generate(key=key, seed=7) == variant_generate(key=key, seed=7)
    prompts = {variant_generate(key=key, seed=s).prompt for s in SEEDS}
    assert len(prompts) > 5


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_output_size_matches_torch_conv2d(seed):
    """The conv answer equals the height of a real nn.Conv2d output (dilation included)."""
    v = variant_generate(key="conv-output-size", seed=seed)
    p = v.params
    conv = torch.nn.Conv2d(
        p["c_in"],
        p["c_out"],
        p["kernel"],
        stride=p["stride"],
        padding=p["padding"],
        dilation=p["dilation"],
    )
    with torch.no_grad():
        out = conv(torch.zeros(1, p["c_in"], p["h"], p["h"]))
    assert out.shape[2] == v.answer
    assert answer_is_correct(kind="numeric", expected={"value": v.answer}, given=str(out.shape[2]))


@pytest.mark.parametrize("seed", SEEDS)
def test_pool_output_size_matches_torch_maxpool2d(seed):
    """The pooling answer equals the height of a real nn.MaxPool2d output."""
    v = variant_generate(key="pool-output-size", seed=seed)
    p = v.params
    pool = torch.nn.MaxPool2d(
        p["kernel"], stride=p["stride"], padding=p["padding"], dilation=p["dilation"]
    )
    out = pool(torch.zeros(1, 64, p["h"], p["h"]))
    assert out.shape[2] == v.answer


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_param_count_matches_torch(seed):
    """The conv parameter count equals sum(p.numel()) of a real nn.Conv2d."""
    v = variant_generate(key="conv-param-count", seed=seed)
    p = v.params
    conv = torch.nn.Conv2d(p["c_in"], p["c_out"], p["kernel"], groups=p["groups"], bias=p["bias"])
    assert params_of(conv) == v.answer


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_param_count_matches_torch(seed):
    """The linear parameter count equals sum(p.numel()) of a real nn.Linear."""
    v = variant_generate(key="linear-param-count", seed=seed)
    p = v.params
    assert params_of(torch.nn.Linear(p["n_in"], p["n_out"], bias=p["bias"])) == v.answer


@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_param_count_matches_torch(seed):
    """The LSTM parameter count equals sum(p.numel()) of a real nn.LSTM."""
    v = variant_generate(key="lstm-param-count", seed=seed)
    p = v.params
    lstm = torch.nn.LSTM(
        p["input_size"], p["hidden"], num_layers=p["layers"], bidirectional=p["bidirectional"]
    )
    assert params_of(lstm) == v.answer


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_score_size_matches_torch(seed):
    """The score-matrix element count equals numel of a real Q @ K^T."""
    v = variant_generate(key="attention-score-size", seed=seed)
    p = v.params
    d_k = p["d_model"] // p["heads"]
    q = torch.zeros(p["batch"], p["heads"], p["length"], d_k)
    k = torch.zeros(p["batch"], p["heads"], p["source"], d_k)
    assert (q @ k.transpose(-2, -1)).numel() == v.answer


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_flops_match_torch_flop_counter(seed):
    """The FLOPs answer equals torch's FlopCounterMode over QK^T and weights @ V."""
    v = variant_generate(key="attention-flops", seed=seed)
    p = v.params
    shape = (p["batch"], p["heads"], p["length"], p["d_k"])
    q, k, val = torch.randn(shape), torch.randn(shape), torch.randn(shape)
    counter = FlopCounterMode(display=False)
    with counter:
        scores = q @ k.transpose(-2, -1)
        weights = scores  # softmax and scaling are excluded from the count by the question
        weights @ val
    assert counter.get_total_flops() == v.answer


def build_torch_layers(net: str) -> list[torch.nn.Module]:
    _, channels, specs = CLASSIC_NETS[net]
    layers: list[torch.nn.Module] = []
    for spec in specs:
        if spec.op == "conv":
            layers.append(
                torch.nn.Conv2d(channels, spec.channels, spec.kernel, spec.stride, spec.padding)
            )
            channels = spec.channels
        elif spec.op == "maxpool":
            layers.append(torch.nn.MaxPool2d(spec.kernel, spec.stride, spec.padding))
        else:
            layers.append(torch.nn.AvgPool2d(spec.kernel, spec.stride, spec.padding))
    return layers


@pytest.mark.parametrize("seed", SEEDS)
def test_classic_net_shape_matches_torch_forward(seed):
    """The asked layer's H×W×C equals the shape of a real forward pass through torch layers."""
    v = variant_generate(key="classic-net-shape", seed=seed)
    p = v.params
    _, c_in, _ = CLASSIC_NETS[p["net"]]
    x = torch.zeros(1, c_in, p["size"], p["size"])
    with torch.no_grad():
        for layer in build_torch_layers(p["net"])[: p["index"] + 1]:
            x = layer(x)
    _, c, h, w = x.shape
    expected_text = f"{h}x{w}x{c}"
    assert answer_is_correct(
        kind="short", expected={"patterns": list(v.patterns)}, given=expected_text
    )
    assert answer_is_correct(
        kind="short", expected={"patterns": list(v.patterns)}, given=f"{h} × {w} × {c}"
    )
    assert not answer_is_correct(
        kind="short", expected={"patterns": list(v.patterns)}, given=f"{h}x{w}x{c + 1}"
    )


def test_classic_net_tables_match_the_notes():
    """At the input sizes the notes table, the final conv/pool outputs are the tabled ones."""
    final = {
        net: classic_net_shapes(net=net, size=CLASSIC_NETS[net][0])[-1] for net in CLASSIC_NETS
    }
    # 002 note: LeNet-5 Subsampling2 5×5×16, AlexNet Pooling5 6×6×256, VGG-16 Pooling5 7×7×512.
    assert final["LeNet-5"][1:] == (5, 16)
    assert final["AlexNet"][1:] == (6, 256)
    assert final["VGG-16"][1:] == (7, 512)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_value_matches_torch_softmax(seed):
    """The softmax answer is torch.softmax of the drawn vector, within the stated tolerance."""
    v = variant_generate(key="softmax-value", seed=seed)
    p = v.params
    probs = torch.softmax(torch.tensor(p["z"], dtype=torch.float64), dim=0)
    truth = float(probs[p["index"]])
    assert math.isclose(v.answer, truth, abs_tol=0.0005 + 1e-12)
    assert answer_is_correct(
        kind="numeric", expected={"value": v.answer, "tolerance": v.tolerance}, given=f"{truth:.4f}"
    )


# --- the templates that drill the coding exercises' arithmetic ---------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_transpose_output_size_matches_torch(seed):
    """The transposed-convolution answer equals a real nn.ConvTranspose2d's output height."""
    p = variant_generate(key="conv-transpose-output-size", seed=seed).params
    layer = torch.nn.ConvTranspose2d(
        16,
        8,
        p["kernel"],
        stride=p["stride"],
        padding=p["padding"],
        output_padding=p["output_padding"],
        dilation=p["dilation"],
    )
    with torch.no_grad():
        out = layer(torch.zeros(1, 16, p["h"], p["h"]))
    assert out.shape[2] == variant_generate(key="conv-transpose-output-size", seed=seed).answer


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_separable_conv_cost_matches_the_flop_counter(seed):
    """Depthwise plus pointwise multiply-adds equal half of torch's FLOP count of the two layers
    (a multiply-add is two FLOPs; bias excluded)."""
    v = variant_generate(key="separable-conv-cost", seed=seed)
    p = v.params
    k = p["kernel"]
    depthwise = torch.nn.Conv2d(p["c_in"], p["c_in"], k, padding=k // 2, groups=p["c_in"])
    pointwise = torch.nn.Conv2d(p["c_in"], p["c_out"], 1)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        pointwise(depthwise(torch.zeros(1, p["c_in"], p["h"], p["h"])))
    assert counter.get_total_flops() // 2 == v.answer


@pytest.mark.parametrize("seed", SEEDS)
def test_receptive_field_matches_the_gradient_footprint(seed):
    """The receptive field equals the width of the input region that reaches one output unit
    of a real stack of 1-D convolutions (all-ones weights, so nothing cancels)."""
    v = variant_generate(key="receptive-field", seed=seed)
    flat = v.params["layers"]
    layers = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]
    stack = torch.nn.Sequential(
        *(torch.nn.Conv1d(1, 1, k, stride=s, dilation=d, bias=False) for k, s, d in layers)
    )
    for conv in stack:
        torch.nn.init.ones_(conv.weight)
    x = torch.zeros(1, 1, 400, dtype=torch.float32, requires_grad=True)
    out = stack(x)
    out[0, 0, out.shape[-1] // 2].backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten()
    assert int(touched.max() - touched.min()) + 1 == v.answer


@pytest.mark.parametrize("seed", SEEDS)
def test_positional_encoding_value_matches_a_float64_table(seed):
    """The value equals the entry of the full sinusoidal table computed in float64 by torch."""
    v = variant_generate(key="positional-encoding-value", seed=seed)
    p = v.params
    d = p["d_model"]
    positions = torch.arange(p["position"] + 1, dtype=torch.float64)[:, None]
    rates = torch.pow(10000.0, -torch.arange(0, d, 2, dtype=torch.float64) / d)
    table = torch.zeros(p["position"] + 1, d, dtype=torch.float64)
    table[:, 0::2] = torch.sin(positions * rates)
    table[:, 1::2] = torch.cos(positions * rates)
    assert abs(float(table[p["position"], p["column"]]) - v.answer) <= v.tolerance


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_uncorrected_step_matches_torch_adam_state(seed):
    """lr·m_t/√v_t from the moments torch.optim.Adam keeps, after t steps of the same gradient."""
    v = variant_generate(key="adam-bias-correction", seed=seed)
    p = v.params
    param = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))
    optimizer = torch.optim.Adam([param], lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=0.0)
    for _ in range(p["steps"]):
        param.grad = torch.tensor(p["grad"], dtype=torch.float64)
        optimizer.step()
    state = optimizer.state[param]
    step = p["lr"] * abs(float(state["exp_avg"])) / math.sqrt(float(state["exp_avg_sq"]))
    assert abs(step - v.answer) <= v.tolerance


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_momentum_steps_match_torch_sgd(seed):
    """The parameter after three steps equals torch.optim.SGD's with the same gradients."""
    v = variant_generate(key="sgd-momentum-steps", seed=seed)
    p = v.params
    param = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=p["lr"], momentum=p["momentum"])
    for grad in p["grads"]:
        param.grad = torch.tensor(float(grad), dtype=torch.float64)
        optimizer.step()
    assert abs(float(param.detach()) - v.answer) <= v.tolerance


@pytest.mark.parametrize("seed", SEEDS)
def test_batch_norm_running_var_matches_batchnorm1d(seed):
    """running_var after one training batch equals nn.BatchNorm1d's (unbiased variance)."""
    v = variant_generate(key="batch-norm-running-var", seed=seed)
    p = v.params
    layer = torch.nn.BatchNorm1d(1, momentum=p["momentum"]).double().train()
    layer(torch.tensor(p["values"], dtype=torch.float64)[:, None])
    assert abs(float(layer.running_var[0]) - v.answer) <= v.tolerance


@pytest.mark.parametrize("seed", SEEDS)
def test_label_smoothing_loss_matches_f_cross_entropy(seed):
    """The loss equals F.cross_entropy with the same label_smoothing, in float64."""
    v = variant_generate(key="label-smoothing-loss", seed=seed)
    p = v.params
    loss = torch.nn.functional.cross_entropy(
        torch.tensor([p["logits"]], dtype=torch.float64),
        torch.tensor([p["target"]]),
        label_smoothing=p["smoothing"],
    )
    assert abs(float(loss) - v.answer) <= v.tolerance


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_param_count_matches_grucell(seed):
    """The count equals the parameters of a real nn.GRUCell."""
    v = variant_generate(key="gru-param-count", seed=seed)
    cell = torch.nn.GRUCell(v.params["input_size"], v.params["hidden"])
    assert params_of(cell) == v.answer


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_dropout_scale_matches_f_dropout(seed):
    """Every kept entry of F.dropout in training mode equals the answer."""
    v = variant_generate(key="dropout-scale", seed=seed)
    p = v.params
    torch.manual_seed(seed)
    out = torch.nn.functional.dropout(
        torch.full((1000,), p["x"], dtype=torch.float64), p=p["p"], training=True
    )
    kept = out[out != 0]
    assert kept.numel() > 0
    assert torch.allclose(kept, torch.full_like(kept, v.answer), atol=v.tolerance)
