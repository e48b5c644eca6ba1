"""Parameterised question templates: numbers drawn per attempt, answers computed.

Pure Python (no Django, no torch): a template draws its parameters from a seeded
`random.Random`, so one (template, seed) pair always yields the same variant and the attempt only
needs to store the seed, the drawn parameters and the computed answer.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

ParamValue = int | float | str | bool | list[int] | list[float]
VariantKind = Literal["numeric", "short"]


@dataclass(frozen=True)
class Variant:
    """One drawn instance of a template, with its computed answer."""

    template: str
    seed: int
    kind: VariantKind
    prompt: str
    params: dict[str, ParamValue]
    # numeric: the value; short: the canonical text shown after grading.
    answer: float | str
    tolerance: float = 0.0
    # short answers: full-match regular expressions (case-insensitive) that count as correct.
    patterns: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True)
class TemplateInfo:
    key: str
    topic: str
    title: str
    kind: VariantKind
    card_snippets: tuple[str, ...] = field(default_factory=tuple)


class Template:
    """A question template; subclasses set the class attributes and implement `draw`."""

    key: ClassVar[str]
    topic: ClassVar[str]
    title: ClassVar[str]
    kind: ClassVar[VariantKind]
    # Snippets of card questions that explain this template, resolved to cards at load time.
    card_snippets: ClassVar[tuple[str, ...]] = ()

    def draw(self, rng: random.Random, seed: int) -> Variant:
        raise NotImplementedError

    @classmethod
    def info(cls) -> TemplateInfo:
        return TemplateInfo(
            key=cls.key,
            topic=cls.topic,
            title=cls.title,
            kind=cls.kind,
            card_snippets=cls.card_snippets,
        )


# --- shared arithmetic (the same formulas torch documents for its layers) ---------------------


def conv_out(
    size: int, *, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a convolution or pooling along one axis (floor mode)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_params(*, c_in: int, c_out: int, kernel: int, groups: int = 1, bias: bool = True) -> int:
    return c_out * (c_in // groups) * kernel * kernel + (c_out if bias else 0)


def linear_params(*, n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def lstm_params(
    *, input_size: int, hidden: int, layers: int = 1, bidirectional: bool = False
) -> int:
    """nn.LSTM with both bias vectors (b_ih, b_hh), as PyTorch lays them out."""
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(layers):
        layer_in = input_size if layer == 0 else hidden * directions
        per_direction = 4 * hidden * layer_in + 4 * hidden * hidden + 2 * 4 * hidden
        total += per_direction * directions
    return total


def softmax(values: Sequence[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _shape_pattern(*dims: int) -> str:
    sep = r"\s*[x×*,]\s*"
    return r"\(?\s*" + sep.join(str(d) for d in dims) + r"\s*\)?"


# --- templates --------------------------------------------------------------------------------


class ConvOutputSize(Template):
    key = "conv-output-size"
    topic = "cnn"
    title = "卷积输出尺寸（含空洞）"
    kind = "numeric"
    card_snippets = ("空洞卷积",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        while True:
            h = rng.choice([28, 32, 56, 64, 96, 112, 128, 224, 227])
            k = rng.choice([1, 3, 5, 7, 11])
            s = rng.choice([1, 1, 2, 2, 3, 4])
            p = rng.randint(0, k // 2 + 1)
            d = rng.choice([1, 1, 2, 3])
            out = conv_out(h, kernel=k, stride=s, padding=p, dilation=d)
            if out >= 1:
                break
        c_in, c_out = rng.choice([1, 3, 16, 64]), rng.choice([8, 32, 64, 128])
        prompt = (
            f"输入特征图大小为 {c_in}×{h}×{h}（C×H×W），经过 `nn.Conv2d({c_in}, {c_out}, "
            f"kernel_size={k}, stride={s}, padding={p}, dilation={d})`。输出特征图的高 H_out 是多少？"
        )
        k_eff = d * (k - 1) + 1
        explanation = (
            f"空洞卷积的等效卷积核大小 k' = d(k−1)+1 = {d}×({k}−1)+1 = {k_eff}；"
            f"H_out = ⌊(H + 2P − k') / S⌋ + 1 = ⌊({h} + 2×{p} − {k_eff}) / {s}⌋ + 1 = {out}。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={
                "h": h,
                "kernel": k,
                "stride": s,
                "padding": p,
                "dilation": d,
                "c_in": c_in,
                "c_out": c_out,
            },
            answer=out,
            explanation=explanation,
        )


class PoolOutputSize(Template):
    key = "pool-output-size"
    topic = "cnn"
    title = "池化输出尺寸"
    kind = "numeric"
    card_snippets = ("池化",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        while True:
            h = rng.choice([13, 14, 27, 28, 55, 56, 112, 113])
            k = rng.choice([2, 2, 3, 3, 4])
            s = rng.choice([1, 2, 2, 3])
            p = rng.randint(0, k // 2)
            d = rng.choice([1, 1, 1, 2])
            out = conv_out(h, kernel=k, stride=s, padding=p, dilation=d)
            if out >= 1:
                break
        prompt = (
            f"输入特征图大小为 64×{h}×{h}（C×H×W），经过 `nn.MaxPool2d(kernel_size={k}, "
            f"stride={s}, padding={p}, dilation={d})`（默认 ceil_mode=False）。输出的高 H_out 是多少？"
        )
        k_eff = d * (k - 1) + 1
        explanation = (
            f"池化与卷积使用同一公式（向下取整）：k' = {k_eff}，"
            f"H_out = ⌊({h} + 2×{p} − {k_eff}) / {s}⌋ + 1 = {out}；池化不改变通道数。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={"h": h, "kernel": k, "stride": s, "padding": p, "dilation": d},
            answer=out,
            explanation=explanation,
        )


class ConvParamCount(Template):
    key = "conv-param-count"
    topic = "cnn"
    title = "卷积层参数量"
    kind = "numeric"
    card_snippets = ("分组卷积", "卷积层有哪些基本参数")

    def draw(self, rng: random.Random, seed: int) -> Variant:
        c_in = rng.choice([3, 16, 32, 64, 96, 128, 256])
        c_out = rng.choice([16, 32, 64, 128, 256, 384])
        k = rng.choice([1, 3, 5, 7])
        bias = rng.random() < 0.7
        groups = 1
        if rng.random() < 0.35:
            common = [g for g in (2, 4, 8, 16) if c_in % g == 0 and c_out % g == 0]
            if common:
                groups = rng.choice(common)
        total = conv2d_params(c_in=c_in, c_out=c_out, kernel=k, groups=groups, bias=bias)
        prompt = (
            f"`nn.Conv2d({c_in}, {c_out}, kernel_size={k}, groups={groups}, bias={bias})` "
            "共有多少个可学习参数？"
        )
        explanation = (
            f"每个卷积核大小为 (C_in/groups)×k×k = {c_in // groups}×{k}×{k}，共 C_out = {c_out} 个"
            + ("，再加 C_out 个偏置" if bias else "，无偏置")
            + f"：{c_out}×{c_in // groups}×{k * k}"
            + (f" + {c_out}" if bias else "")
            + f" = {total}。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={"c_in": c_in, "c_out": c_out, "kernel": k, "groups": groups, "bias": bias},
            answer=total,
            explanation=explanation,
        )


class LinearParamCount(Template):
    key = "linear-param-count"
    topic = "ml-basics"
    title = "全连接层参数量"
    kind = "numeric"
    card_snippets = ("FCNN/MLP",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        n_in = rng.choice([10, 84, 120, 256, 512, 784, 1024, 4096, 9216])
        n_out = rng.choice([2, 10, 84, 100, 128, 1000, 4096])
        bias = rng.random() < 0.8
        total = linear_params(n_in=n_in, n_out=n_out, bias=bias)
        prompt = f"`nn.Linear({n_in}, {n_out}, bias={bias})` 共有多少个可学习参数？"
        explanation = (
            f"权重矩阵 W 形状为 ({n_out}, {n_in})，共 {n_in * n_out} 个参数"
            + (f"；偏置 b 有 {n_out} 个" if bias else "；无偏置")
            + f"；合计 {total}。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={"n_in": n_in, "n_out": n_out, "bias": bias},
            answer=total,
            explanation=explanation,
        )


class LstmParamCount(Template):
    key = "lstm-param-count"
    topic = "rnn"
    title = "LSTM 参数量"
    kind = "numeric"
    card_snippets = ("LSTM",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        input_size = rng.choice([8, 16, 32, 50, 100, 128, 300])
        hidden = rng.choice([16, 32, 64, 128, 256])
        layers = rng.choice([1, 1, 2])
        bidirectional = rng.random() < 0.3
        total = lstm_params(
            input_size=input_size, hidden=hidden, layers=layers, bidirectional=bidirectional
        )
        prompt = (
            f"`nn.LSTM(input_size={input_size}, hidden_size={hidden}, num_layers={layers}, "
            f"bidirectional={bidirectional})`（默认 bias=True）共有多少个可学习参数？"
        )
        explanation = (
            "LSTM 每层每个方向有 4 组门（i, f, g, o）：W_ih 形状 (4H, I)、W_hh 形状 (4H, H)、"
            "b_ih 与 b_hh 各 4H 个，即 4H(I+H) + 8H；第二层起输入维度为 H×方向数。"
            f"合计 {total}。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={
                "input_size": input_size,
                "hidden": hidden,
                "layers": layers,
                "bidirectional": bidirectional,
            },
            answer=total,
            explanation=explanation,
        )


class AttentionScoreSize(Template):
    key = "attention-score-size"
    topic = "attention"
    title = "注意力分数矩阵大小"
    kind = "numeric"
    card_snippets = ("多头注意力",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        batch = rng.choice([1, 2, 4, 8, 16])
        heads = rng.choice([1, 2, 4, 8, 12])
        length = rng.choice([16, 32, 50, 64, 128, 512])
        source = rng.choice([length, length, 20, 40, 100])
        d_model = heads * rng.choice([16, 32, 64])
        total = batch * heads * length * source
        prompt = (
            f"多头注意力：batch={batch}，头数 h={heads}，query 序列长度 L={length}，"
            f"key 序列长度 S={source}，d_model={d_model}。所有头的注意力分数矩阵 "
            "softmax(QKᵀ/√d_k) 一共有多少个元素？"
        )
        explanation = (
            f"每个头、每个样本的分数矩阵是 L×S = {length}×{source}，与 d_model 无关；"
            f"共 batch×h×L×S = {batch}×{heads}×{length}×{source} = {total} 个元素。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={
                "batch": batch,
                "heads": heads,
                "length": length,
                "source": source,
                "d_model": d_model,
            },
            answer=total,
            explanation=explanation,
        )


class AttentionFlops(Template):
    key = "attention-flops"
    topic = "attention"
    title = "注意力计算量（FLOPs）"
    kind = "numeric"
    card_snippets = ("Why Self-Attention", "多头注意力")

    def draw(self, rng: random.Random, seed: int) -> Variant:
        batch = rng.choice([1, 2, 4])
        heads = rng.choice([1, 2, 4, 8])
        length = rng.choice([8, 16, 32, 64, 128])
        d_k = rng.choice([16, 32, 64])
        qk = 2 * batch * heads * length * length * d_k
        av = 2 * batch * heads * length * length * d_k
        total = qk + av
        prompt = (
            f"自注意力（Q、K、V 已算好）：batch={batch}，头数 h={heads}，序列长度 n={length}，"
            f"每头维度 d_k=d_v={d_k}。计算 QKᵀ 与 注意力权重×V 两次矩阵乘法共需多少 FLOPs？"
            "（一次乘加记 2 FLOPs，忽略缩放与 softmax）"
        )
        explanation = (
            f"QKᵀ：每个头 (n×d_k)·(d_k×n)，2·n·n·d_k FLOPs；权重×V：(n×n)·(n×d_v)，同样 2·n·n·d_v。"
            f"总计 2×2×batch×h×n²×d_k = {total}，随 n 平方增长（O(n²d)）。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={"batch": batch, "heads": heads, "length": length, "d_k": d_k},
            answer=total,
            explanation=explanation,
        )


@dataclass(frozen=True)
class LayerSpec:
    """One spatial layer of a classic network: a convolution or a pooling."""

    name: str
    op: Literal["conv", "maxpool", "avgpool"]
    kernel: int
    stride: int
    padding: int
    channels: int = 0  # output channels of a convolution; pooling keeps its input's


CLASSIC_NETS: dict[str, tuple[int, int, tuple[LayerSpec, ...]]] = {
    # name: (input size as tabled in the notes, input channels, layers)
    "LeNet-5": (
        32,
        1,
        (
            LayerSpec("Conv1", "conv", 5, 1, 0, 6),
            LayerSpec("Subsampling1", "avgpool", 2, 2, 0),
            LayerSpec("Conv2", "conv", 5, 1, 0, 16),
            LayerSpec("Subsampling2", "avgpool", 2, 2, 0),
        ),
    ),
    "AlexNet": (
        227,
        3,
        (
            LayerSpec("Conv1", "conv", 11, 4, 0, 96),
            LayerSpec("Pooling1", "maxpool", 3, 2, 0),
            LayerSpec("Conv2", "conv", 5, 1, 2, 256),
            LayerSpec("Pooling2", "maxpool", 3, 2, 0),
            LayerSpec("Conv3", "conv", 3, 1, 1, 384),
            LayerSpec("Conv4", "conv", 3, 1, 1, 384),
            LayerSpec("Conv5", "conv", 3, 1, 1, 256),
            LayerSpec("Pooling5", "maxpool", 3, 2, 0),
        ),
    ),
    "VGG-16": (
        224,
        3,
        tuple(
            spec
            for block, (n_convs, width) in enumerate(
                [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)], start=1
            )
            for spec in (
                *(
                    LayerSpec(f"Conv{block}_{i}", "conv", 3, 1, 1, width)
                    for i in range(1, n_convs + 1)
                ),
                LayerSpec(f"Pooling{block}", "maxpool", 2, 2, 0),
            )
        ),
    ),
}
# Other input sizes the networks' layers still accept, to vary the arithmetic.
CLASSIC_INPUTS: dict[str, tuple[int, ...]] = {
    "LeNet-5": (32, 28, 36, 40, 44),
    "AlexNet": (227, 195, 259, 163),
    "VGG-16": (224, 192, 160, 256, 128),
}


def classic_net_shapes(*, net: str, size: int) -> list[tuple[str, int, int]]:
    """(layer name, spatial size, channels) after every tabled conv/pool layer of `net`."""
    _, channels, layers = CLASSIC_NETS[net]
    out: list[tuple[str, int, int]] = []
    for spec in layers:
        size = conv_out(size, kernel=spec.kernel, stride=spec.stride, padding=spec.padding)
        if spec.op == "conv":
            channels = spec.channels
        out.append((spec.name, size, channels))
    return out


class ClassicNetShape(Template):
    key = "classic-net-shape"
    topic = "cnn-architectures"
    title = "经典网络各层输出尺寸"
    kind = "short"
    card_snippets = ("AlexNet", "VGG")

    def draw(self, rng: random.Random, seed: int) -> Variant:
        net = rng.choice(sorted(CLASSIC_NETS))
        size = rng.choice(CLASSIC_INPUTS[net])
        _, c_in, layers = CLASSIC_NETS[net]
        shapes = classic_net_shapes(net=net, size=size)
        index = rng.randrange(len(shapes))
        name, out, channels = shapes[index]
        listing = "；".join(
            f"{spec.name}: "
            + (
                f"{spec.channels} 个 {spec.kernel}×{spec.kernel} 卷积核"
                if spec.op == "conv"
                else f"{spec.kernel}×{spec.kernel} {'最大' if spec.op == 'maxpool' else '平均'}池化"
            )
            + f"，步长 {spec.stride}，填充 {spec.padding}"
            for spec in layers[: index + 1]
        )
        prompt = (
            f"{net}（按笔记中的层表）输入为 {size}×{size}×{c_in}。各层依次为：{listing}。"
            f"{name} 的输出尺寸是多少？按 H×W×C 作答（例如 28×28×6）。"
        )
        steps = " → ".join(f"{n} {s}×{s}×{c}" for n, s, c in shapes[: index + 1])
        explanation = f"逐层用 O = ⌊(H + 2P − K)/S⌋ + 1，卷积层通道数等于卷积核个数：{steps}。"
        return Variant(
            template=self.key,
            seed=seed,
            kind="short",
            prompt=prompt,
            params={"net": net, "size": size, "layer": name, "index": index},
            answer=f"{out}×{out}×{channels}",
            patterns=(_shape_pattern(out, out, channels),),
            explanation=explanation,
        )


class SoftmaxValue(Template):
    key = "softmax-value"
    topic = "activations"
    title = "小向量的 softmax"
    kind = "numeric"
    card_snippets = ("softmax",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        n = rng.choice([3, 3, 4])
        values = [rng.randint(-2, 4) for _ in range(n)]
        index = rng.randrange(n)
        probs = softmax(values)
        answer = round(probs[index], 3)
        shown = ", ".join(str(v) for v in values)
        prompt = f"z = [{shown}]，softmax(z) 的第 {index + 1} 个分量是多少？保留三位小数。"
        explanation = (
            f"softmax(z)_i = e^(z_i) / Σ_j e^(z_j)；分母 Σ e^(z_j) = "
            f"{sum(math.exp(v) for v in values):.4f}，第 {index + 1} 个分量 = "
            f"e^{values[index]} / {sum(math.exp(v) for v in values):.4f} ≈ {answer:.3f}。"
        )
        return Variant(
            template=self.key,
            seed=seed,
            kind="numeric",
            prompt=prompt,
            params={"z": values, "index": index},
            answer=answer,
            tolerance=0.0015,
            explanation=explanation,
        )


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        ConvOutputSize(),
        PoolOutputSize(),
        ConvParamCount(),
        LinearParamCount(),
        LstmParamCount(),
        AttentionScoreSize(),
        AttentionFlops(),
        ClassicNetShape(),
        SoftmaxValue(),
    )
}


def variant_generate(*, key: str, seed: int) -> Variant:
    """The variant of template `key` for `seed`; the same pair always gives the same variant."""
    template = TEMPLATES[key]
    return template.draw(random.Random(f"{key}:{seed}"), seed)
