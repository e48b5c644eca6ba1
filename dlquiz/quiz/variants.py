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
from typing import Any, ClassVar, Literal

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

    def variant(self, *, seed: int, **fields: Any) -> Variant:
        """The drawn variant of this template: its key and kind, with `fields`."""
        return Variant(template=self.key, seed=seed, kind=self.kind, **fields)

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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
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
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"z": values, "index": index},
            answer=answer,
            tolerance=0.0015,
            explanation=explanation,
        )


# --- templates that drill the coding exercises' arithmetic -------------------------------------


def conv_transpose_out(
    size: int, *, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0,
    dilation: int = 1,
) -> int:  # fmt: skip
    """Output length of a transposed convolution along one axis (nn.ConvTranspose2d)."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def receptive_field(layers: Sequence[tuple[int, int, int]]) -> tuple[int, int]:
    """(size, jump) of one output unit of a stack of (kernel, stride, dilation) layers."""
    size, jump = 1, 1
    for kernel, stride, dilation in layers:
        size += dilation * (kernel - 1) * jump
        jump *= stride
    return size, jump


class TransposedConvOutputSize(Template):
    key = "conv-transpose-output-size"
    topic = "cnn"
    title = "转置卷积输出尺寸"
    kind = "numeric"
    card_snippets = ("转置卷积",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        h = rng.choice([4, 7, 8, 14, 16, 28, 32])
        k = rng.choice([2, 3, 4, 5])
        s = rng.choice([1, 2, 2, 3])
        p = rng.randint(0, k // 2)
        d = rng.choice([1, 1, 2])
        op = rng.randrange(max(s, d)) if rng.random() < 0.5 else 0
        out = conv_transpose_out(h, kernel=k, stride=s, padding=p, output_padding=op, dilation=d)
        prompt = (
            f"输入特征图大小为 16×{h}×{h}，经过 `nn.ConvTranspose2d(16, 8, kernel_size={k}, "
            f"stride={s}, padding={p}, output_padding={op}, dilation={d})`。输出的高 H_out 是多少？"
        )
        explanation = (
            "转置卷积是卷积的“逆”尺寸变换：H_out = (H−1)·S − 2P + D·(k−1) + output_padding + 1 "
            f"= ({h}−1)×{s} − 2×{p} + {d}×({k}−1) + {op} + 1 = {out}。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={
                "h": h,
                "kernel": k,
                "stride": s,
                "padding": p,
                "output_padding": op,
                "dilation": d,
            },  # fmt: skip
            answer=out,
            explanation=explanation,
        )


class SeparableConvCost(Template):
    key = "separable-conv-cost"
    topic = "cnn-architectures"
    title = "深度可分离卷积的乘加次数"
    kind = "numeric"
    card_snippets = ("深度可分离卷积", "分组卷积")

    def draw(self, rng: random.Random, seed: int) -> Variant:
        c_in = rng.choice([16, 32, 64, 128])
        c_out = rng.choice([32, 64, 128, 256])
        k = rng.choice([3, 3, 5])
        h = rng.choice([7, 14, 28, 56])
        depthwise = h * h * c_in * k * k
        pointwise = h * h * c_in * c_out
        total = depthwise + pointwise
        prompt = (
            f"输出特征图为 {h}×{h}。把 `nn.Conv2d({c_in}, {c_out}, {k}, padding={k // 2})` 换成深度"
            f"可分离卷积：先 `nn.Conv2d({c_in}, {c_in}, {k}, padding={k // 2}, groups={c_in})`（逐通道），"
            f"再 `nn.Conv2d({c_in}, {c_out}, 1)`（逐点）。两层一共需要多少次乘加（不计偏置）？"
        )
        explanation = (
            f"逐通道卷积每个输出位置每个通道 k² 次：{h}²×{c_in}×{k}² = {depthwise}；"
            f"逐点卷积每个输出位置 C_in×C_out 次：{h}²×{c_in}×{c_out} = {pointwise}；合计 {total}，"
            f"约为标准卷积的 1/C_out + 1/k² = {total / (h * h * c_in * c_out * k * k):.3f} 倍。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"c_in": c_in, "c_out": c_out, "kernel": k, "h": h},
            answer=total,
            explanation=explanation,
        )


class ReceptiveField(Template):
    key = "receptive-field"
    topic = "cnn"
    title = "卷积堆叠的感受野"
    kind = "numeric"
    card_snippets = ("感受野",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        layers = [
            (rng.choice([1, 3, 3, 5, 7]), rng.choice([1, 1, 2]), rng.choice([1, 1, 1, 2]))
            for _ in range(rng.randint(2, 4))
        ]
        size, _ = receptive_field(layers)
        shown = "、".join(f"(k={k}, s={s}, d={d})" for k, s, d in layers)
        prompt = (
            f"依次堆叠 {len(layers)} 个卷积层（从输入到输出）：{shown}。最后一层的一个输出单元"
            "在输入上的感受野有多宽（像素）？"
        )
        explanation = (
            "自底向上递推：r ← r + d·(k−1)·j，j ← j·s（j 为此前各层步长之积，初值 r = j = 1）；"
            f"结果 r = {size}。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"layers": [value for layer in layers for value in layer]},
            answer=size,
            explanation=explanation,
        )


class PositionalEncodingValue(Template):
    key = "positional-encoding-value"
    topic = "attention"
    title = "正弦位置编码的取值"
    kind = "numeric"
    card_snippets = ("位置编码",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        d_model = rng.choice([8, 16, 64, 128, 512])
        position = rng.randint(1, 50)
        column = rng.randrange(min(d_model, 8))
        pair = column // 2
        angle = position / 10000 ** (2 * pair / d_model)
        value = math.sin(angle) if column % 2 == 0 else math.cos(angle)
        answer = round(value, 3)
        function = "sin" if column % 2 == 0 else "cos"
        prompt = (
            f"Transformer 的正弦位置编码，d_model = {d_model}，base = 10000。位置 pos = {position} "
            f"的第 {column} 维（从 0 开始计数）PE[{position}, {column}] 是多少？保留三位小数。"
        )
        explanation = (
            f"PE[pos, 2i] = sin(pos / 10000^(2i/d))，PE[pos, 2i+1] = cos(同一角度)。第 {column} 维"
            f"对应 i = {pair}，角度 = {position} / 10000^({2 * pair}/{d_model}) ≈ {angle:.4f}，"
            f"{function} 值 ≈ {answer:.3f}。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"d_model": d_model, "position": position, "column": column},
            answer=answer,
            tolerance=0.0015,
            explanation=explanation,
        )


class AdamUncorrectedStep(Template):
    key = "adam-bias-correction"
    topic = "optimization"
    title = "Adam 的偏差修正"
    kind = "numeric"
    card_snippets = ("Adam",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        lr = rng.choice([0.1, 0.01, 0.001])
        beta1 = rng.choice([0.9, 0.8])
        beta2 = rng.choice([0.999, 0.99])
        steps = rng.randint(1, 5)
        grad = rng.choice([0.5, 1.0, 2.0, -1.0])
        m = (1 - beta1**steps) * grad
        v = (1 - beta2**steps) * grad * grad
        ratio = (1 - beta1**steps) / math.sqrt(1 - beta2**steps)
        answer = round(abs(lr * m / math.sqrt(v)), 5)
        prompt = (
            f"用 Adam（lr = {lr}，β1 = {beta1}，β2 = {beta2}，ε 忽略不计）优化一个标量参数，"
            f"每一步的梯度都是 g = {grad}，m 与 v 从 0 开始。如果**不做偏差修正**，第 {steps} 步"
            "参数更新量的绝对值 |lr·m_t/√v_t| 是多少？保留五位小数。"
        )
        explanation = (
            f"梯度恒定时 m_t = (1−β1^t)·g，v_t = (1−β2^t)·g²，所以 |lr·m_t/√v_t| = "
            f"lr·(1−β1^t)/√(1−β2^t) = {lr}×{ratio:.5f} ≈ {answer}。做了偏差修正后 m̂ = g、"
            "v̂ = g²，更新量就是 lr：修正让初期的步长不再偏小（或偏大）。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"lr": lr, "beta1": beta1, "beta2": beta2, "steps": steps, "grad": grad},
            answer=answer,
            tolerance=max(1e-5, answer * 1e-3),
            explanation=explanation,
        )


class SgdMomentumStep(Template):
    key = "sgd-momentum-steps"
    topic = "optimization"
    title = "带动量的 SGD"
    kind = "numeric"
    card_snippets = ("动量",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        lr = rng.choice([0.1, 0.5, 1.0])
        momentum = rng.choice([0.5, 0.9])
        grads = [rng.choice([-2, -1, 1, 2, 3]) for _ in range(3)]
        param, buf = 1.0, None
        for grad in grads:
            buf = grad if buf is None else momentum * buf + grad
            param -= lr * buf
        answer = round(param, 4)
        prompt = (
            f"标量参数 w = 1.0，用 `torch.optim.SGD(lr={lr}, momentum={momentum})`（dampening = 0）"
            f"更新三步，三步的梯度依次为 {grads[0]}、{grads[1]}、{grads[2]}。三步之后 w 是多少？"
        )
        explanation = (
            "PyTorch 的动量：第一步 buf = g，之后 buf ← μ·buf + g，w ← w − lr·buf；"
            f"依次代入得 w = {answer}。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"lr": lr, "momentum": momentum, "grads": grads},
            answer=answer,
            tolerance=1e-4,
            explanation=explanation,
        )


class BatchNormRunningVar(Template):
    key = "batch-norm-running-var"
    topic = "regularization"
    title = "BatchNorm 的滑动方差"
    kind = "numeric"
    card_snippets = ("Batch Normalization", "BN")

    def draw(self, rng: random.Random, seed: int) -> Variant:
        values = [rng.randint(-3, 5) for _ in range(rng.choice([3, 4, 5]))]
        while len(set(values)) == 1:
            values[0] += 1
        momentum = rng.choice([0.1, 0.2, 0.5])
        n = len(values)
        mean = sum(values) / n
        unbiased = sum((v - mean) ** 2 for v in values) / (n - 1)
        answer = round((1 - momentum) * 1.0 + momentum * unbiased, 4)
        prompt = (
            f"`nn.BatchNorm1d(1, momentum={momentum})` 刚创建（running_var = 1），在训练模式下"
            f"输入一个批次，这个通道的值为 {values}。这一步之后 running_var 是多少？保留四位小数。"
        )
        explanation = (
            f"训练时用有偏方差归一化，但滑动平均里用的是无偏方差：s² = Σ(x−x̄)²/(N−1) = "
            f"{unbiased:.4f}；running_var ← (1−momentum)·running_var + momentum·s² = {answer}。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"values": values, "momentum": momentum},
            answer=answer,
            tolerance=1e-4,
            explanation=explanation,
        )


class LabelSmoothingLoss(Template):
    key = "label-smoothing-loss"
    topic = "losses"
    title = "带标签平滑的交叉熵"
    kind = "numeric"
    card_snippets = ("交叉熵",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        logits = [rng.randint(-2, 3) for _ in range(rng.choice([3, 4]))]
        target = rng.randrange(len(logits))
        smoothing = rng.choice([0.0, 0.1, 0.2])
        top = max(logits)
        log_z = top + math.log(sum(math.exp(v - top) for v in logits))
        log_probs = [v - log_z for v in logits]
        c = len(logits)
        loss = -(1 - smoothing) * log_probs[target] - smoothing / c * sum(log_probs)
        answer = round(loss, 4)
        prompt = (
            f"logits = {logits}，目标类别为 {target}（从 0 计数），label_smoothing = {smoothing}。"
            "`F.cross_entropy` 的损失值是多少？保留四位小数。"
        )
        explanation = (
            "标签平滑把目标分布变成 (1−ε)·one-hot + ε/C（均匀分到全部 C 类）；损失 = "
            f"−(1−ε)·log p_y − (ε/C)·Σ_j log p_j，其中 log p = z − logsumexp(z)；结果 ≈ {answer}。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"logits": logits, "target": target, "smoothing": smoothing},
            answer=answer,
            tolerance=1e-4,
            explanation=explanation,
        )


class GruParamCount(Template):
    key = "gru-param-count"
    topic = "rnn"
    title = "GRU 参数量"
    kind = "numeric"
    card_snippets = ("GRU",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        input_size = rng.choice([8, 16, 32, 64, 100, 300])
        hidden = rng.choice([16, 32, 64, 128, 256])
        total = 3 * hidden * (input_size + hidden) + 2 * 3 * hidden
        prompt = (
            f"`nn.GRUCell(input_size={input_size}, hidden_size={hidden})`（默认 bias=True）共有多少个"
            "可学习参数？"
        )
        explanation = (
            "GRU 有 3 组（重置门 r、更新门 z、候选 n）：W_ih 形状 (3H, I)、W_hh 形状 (3H, H)、"
            f"b_ih 与 b_hh 各 3H 个，即 3H(I+H) + 6H = {total}。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"input_size": input_size, "hidden": hidden},
            answer=total,
            explanation=explanation,
        )


class DropoutScale(Template):
    key = "dropout-scale"
    topic = "regularization"
    title = "Inverted dropout 的缩放"
    kind = "numeric"
    card_snippets = ("Dropout",)

    def draw(self, rng: random.Random, seed: int) -> Variant:
        p = rng.choice([0.1, 0.2, 0.25, 0.5, 0.8])
        x = rng.choice([1.0, 2.0, 3.0, 4.0])
        answer = round(x / (1 - p), 4)
        prompt = (
            f"训练模式下对输入使用 inverted dropout，p = {p}（丢弃概率）。某个元素的值为 {x} 且被保留，"
            "输出中它的值是多少？保留四位小数。"
        )
        explanation = (
            f"保留的元素除以保留概率 1−p，使输出的期望与输入相同：{x} / (1 − {p}) = {answer}；"
            "推理时不做任何缩放。"
        )
        return self.variant(
            seed=seed,
            prompt=prompt,
            params={"p": p, "x": x},
            answer=answer,
            tolerance=1e-4,
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
        TransposedConvOutputSize(),
        SeparableConvCost(),
        ReceptiveField(),
        PositionalEncodingValue(),
        AdamUncorrectedStep(),
        SgdMomentumStep(),
        BatchNormRunningVar(),
        LabelSmoothingLoss(),
        GruParamCount(),
        DropoutScale(),
    )
}


def variant_generate(*, key: str, seed: int) -> Variant:
    """The variant of template `key` for `seed`; the same pair always gives the same variant."""
    template = TEMPLATES[key]
    return template.draw(random.Random(f"{key}:{seed}"), seed)
