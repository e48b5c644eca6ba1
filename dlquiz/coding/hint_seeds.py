"""The hints an exercise starts with when it first enters the database (instructors edit them
in the admin afterwards). Chinese first, English second; one unlocks per failed graded
submission, so they go from a nudge to nearly the answer."""

from __future__ import annotations

HINT_SEEDS: dict[str, list[tuple[str, str]]] = {
    "softmax": [
        (
            "对很大的输入，`exp(x)` 会溢出成 `inf`，`inf / inf` 得到 NaN。"
            "若看到 `RuntimeWarning: overflow encountered in exp`，就是这个原因。",
            "For large inputs `exp(x)` overflows to `inf`, and `inf / inf` is NaN. "
            "`RuntimeWarning: overflow encountered in exp` means exactly that.",
        ),
        (
            "softmax 对每一行减去同一个常数不变：先减去该行的最大值再取指数。",
            "Softmax does not change when the same constant is subtracted from a row: subtract "
            "the row's maximum before taking the exponential.",
        ),
        (
            "沿 `dim` 求最大值和求和时保持维度（`keepdims=True` / `keepdim=True`），"
            "这样广播才会按行而不是按列进行。",
            "Keep the reduced dimension (`keepdims=True` / `keepdim=True`) when taking the max "
            "and the sum along `dim`, so that broadcasting works per row, not per column.",
        ),
    ],
    "attention": [
        (
            "分数是 `Q @ K^T`，要除以 `sqrt(d_k)`，其中 `d_k` 是键向量的维度，不是序列长度。",
            "The scores are `Q @ K^T` divided by `sqrt(d_k)`, where `d_k` is the key dimension, "
            "not the sequence length.",
        ),
        (
            "掩码为假的位置在 softmax 之前设为 `-inf`（或一个很小的数），而不是 softmax 之后乘 0。",
            "Set masked-out positions to `-inf` (or a very small number) before the softmax, "
            "not to 0 after it.",
        ),
        (
            "softmax 沿最后一维（键的维度）计算；批维度要保留，转置只交换最后两维。",
            "Take the softmax along the last (key) dimension; keep the batch dimensions and "
            "transpose only the last two.",
        ),
    ],
    "conv-output-size": [
        (
            "每个空间维度：`floor((n + 2p - d(k - 1) - 1) / s) + 1`。",
            "Per spatial dimension: `floor((n + 2p - d(k - 1) - 1) / s) + 1`.",
        ),
        (
            "膨胀卷积核的有效大小是 `d(k - 1) + 1`，不是 `k`。",
            "A dilated kernel covers `d(k - 1) + 1` positions, not `k`.",
        ),
        (
            "用整数除法 `//` 向下取整；结果小于 1 时说明输入太小，按题目要求报错。",
            "Round down with integer division `//`; a result below 1 means the input is too "
            "small: raise as the statement asks.",
        ),
    ],
    "mlp-backprop": [
        (
            "反向传播按前向的逆序：先求输出层的梯度，再经过激活函数，最后到第一层。",
            "Backpropagate in the reverse order of the forward pass: the output layer first, "
            "then through the activation, then the first layer.",
        ),
        (
            "`dW = X^T @ dZ`，`db = dZ.sum(axis=0)`；检查每个梯度的形状与对应参数相同。",
            "`dW = X^T @ dZ` and `db = dZ.sum(axis=0)`; check that every gradient has the shape "
            "of its parameter.",
        ),
        (
            "ReLU 的导数在前向输入 `> 0` 处为 1，其余为 0；用前向时保存的 pre-activation，"
            "不要用激活后的值。",
            "ReLU's derivative is 1 where the forward input was `> 0` and 0 elsewhere; use the "
            "saved pre-activation, not the activated value.",
        ),
    ],
    "lstm-step": [
        (
            "四个门来自同一次线性变换，按题目给出的顺序切分（例如 i, f, g, o）。",
            "The four gates come from one linear map; split it in the order the statement "
            "gives (e.g. i, f, g, o).",
        ),
        (
            "i、f、o 用 sigmoid，候选值 g 用 tanh。",
            "i, f and o go through a sigmoid; the candidate g through tanh.",
        ),
        (
            "`c' = f * c + i * g`，`h' = o * tanh(c')`：注意 `h'` 用的是新的 `c'`。",
            "`c' = f * c + i * g` and `h' = o * tanh(c')`: `h'` uses the new `c'`.",
        ),
    ],
}


def hint_seed_rows(*, slug: str) -> list[tuple[int, str, str]]:
    """(position, Chinese, English) of the seeded hints of one exercise, [] for any other."""
    return [(i, zh, en) for i, (zh, en) in enumerate(HINT_SEEDS.get(slug, []))]
