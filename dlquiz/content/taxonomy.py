"""The topic taxonomy and the keyword rules that put a card into one topic.

Pure Python. A card is scored against every topic: keywords found in its question weigh most,
then the nearest headings above it, then the start of its answer. The same concept therefore
lands in the same topic whichever note it comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlquiz.content.parsing import text_normalise


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    name_zh: str
    name_en: str
    description: str
    keywords: tuple[str, ...]


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        "ml-basics",
        "机器学习与神经网络基础",
        "Machine-learning and neural-network basics",
        "回归、分类、神经元、感知机、全连接网络与深度学习的基本概念。",
        (
            "回归",
            "regression",
            "分类问题",
            "逻辑回归",
            "神经元",
            "neuron",
            "感知机",
            "perceptron",
            "fcnn",
            "mlp",
            "全连接",
            "深度学习本质",
            "nn",
            "神经网络：概览",
            "引入神经网络",
            "model复杂度",
            "判断函数好坏",
            "找到最好的函数",
            "杂谈",
            "论文",
            "简介",
        ),
    ),
    TopicSpec(
        "training",
        "训练与微调",
        "Training and fine-tuning",
        "预训练与微调、batch size、超参数、权重初始化、样本不均衡、数据预处理。",
        (
            "微调",
            "fine-tune",
            "finetune",
            "batchsize",
            "batch size",
            "batch-size",
            "超参数",
            "超参",
            "初始化",
            "不均衡",
            "不平衡",
            "epoch",
            "数据预处理",
            "标准分数",
            "train/test",
            "训练过程",
            "训练步骤",
            "构建神经网络的步骤",
            "过拟合",
            "灾难性遗忘",
            "further pre-train",
            "最普通的做法",
            "比较好的做法",
        ),
    ),
    TopicSpec(
        "activations",
        "激活函数",
        "Activation functions",
        "Sigmoid、Tanh、ReLU、Leaky ReLU、Softmax 及其导数与选择。",
        (
            "激活函数",
            "activation",
            "sigmoid",
            "sigmod",
            "tanh",
            "relu",
            "softmax",
            "非线性",
        ),
    ),
    TopicSpec(
        "losses",
        "损失函数与信息论",
        "Loss functions and information theory",
        "0-1、Hinge、平方、绝对、交叉熵损失，熵、KL 散度。",
        (
            "损失",
            "loss",
            "交叉熵",
            "cross entropy",
            "crossentropy",
            "均方",
            "mse",
            "mean squared",
            "hinge",
            "kl散度",
            "相对熵",
            "信息熵",
            "熵",
            "bce",
            "点互信息",
        ),
    ),
    TopicSpec(
        "optimization",
        "梯度、反向传播与优化器",
        "Gradients, back-propagation and optimisers",
        "导数与梯度、链式法则、反向传播、梯度下降、SGD、Adam、学习率。",
        (
            "梯度下降",
            "gradient descent",
            "随机梯度",
            "sgd",
            "adam",
            "optimizer",
            "优化器",
            "一阶优化",
            "二阶优化",
            "梯度更新",
            "动量",
            "momentum",
            "学习率",
            "反向传播",
            "backprop",
            "链式法则",
            "导数",
            "偏微分",
            "梯度",
            "极值",
            "求导",
        ),
    ),
    TopicSpec(
        "gradient-problems",
        "梯度消失与梯度爆炸",
        "Vanishing and exploding gradients",
        "梯度消失/爆炸的成因、判断与解决方法。",
        ("梯度消失", "梯度爆炸", "vanish", "explod", "梯度弥散"),
    ),
    TopicSpec(
        "regularization",
        "正则化与归一化",
        "Regularisation and normalisation",
        "L1/L2 正则化、Dropout、数据增强、早停、BatchNorm、LayerNorm。",
        (
            "正则化",
            "regularization",
            "dropout",
            "数据增强",
            "早停",
            "归一化",
            "normalization",
            "normalize",
            "batchnorm",
            "layernorm",
            "layer norm",
            "batch norm",
            "bn和ln",
            "bn",
            "ln",
            "lasso",
            "ridge",
        ),
    ),
    TopicSpec(
        "cnn",
        "卷积神经网络",
        "Convolutional networks",
        "卷积运算、卷积核、步长与填充、输出尺寸、各种卷积、池化。",
        (
            "卷积",
            "convolution",
            "cnn",
            "simplecnn",
            "卷积神经网络",
            "池化",
            "pooling",
            "卷积核",
            "kernel",
            "感受野",
            "stride",
            "padding",
            "下采样",
            "共享权重",
            "权值共享",
            "影像识别",
            "空间变换",
            "平移旋转",
            "缩放",
            "维度说明",
        ),
    ),
    TopicSpec(
        "cnn-architectures",
        "经典 CNN 架构",
        "Classic CNN architectures",
        "LeNet-5、AlexNet、VGG、GoogLeNet/Inception、ResNet、SENet、DenseNet、ShuffleNet。",
        (
            "lenet",
            "alexnet",
            "vgg",
            "googlenet",
            "inception",
            "resnet",
            "残差",
            "residual",
            "senet",
            "se块",
            "squeeze",
            "excitation",
            "densenet",
            "shufflenet",
            "内存优化",
            "内存消耗",
            "1的卷积",
        ),
    ),
    TopicSpec(
        "rnn",
        "循环神经网络 RNN/LSTM/GRU",
        "Recurrent networks: RNN, LSTM, GRU",
        "RNN 结构与训练、双向 RNN、LSTM 门控方程、GRU。",
        (
            "rnn",
            "simplernn",
            "循环神经网络",
            "lstm",
            "gru",
            "long short-term",
            "双向",
            "bidirec",
            "bid rnn",
            "numlayers",
            "时间步",
            "memory cell",
        ),
    ),
    TopicSpec(
        "attention",
        "注意力机制与 Transformer",
        "Attention and Transformers",
        "注意力、自注意力、多头注意力、位置编码、编码器/解码器、掩码、seq2seq。",
        (
            "注意力",
            "attention",
            "transformer",
            "多头",
            "multi-head",
            "位置编码",
            "位置嵌入",
            "positional",
            "encoder",
            "decoder",
            "编码器",
            "解码器",
            "mask",
            "seq2seq",
            "根号dk",
            "qkv",
            "k为什么要转置",
            "q、k、v",
            "sequence labeling",
            "teacher",
            "exposure",
            "speech recognition",
            "embedding",
            "相关性怎么计算",
            "b1向量",
            "w是如何来的",
            "矩阵来进行运算",
        ),
    ),
    TopicSpec(
        "pretrained-models",
        "预训练语言模型",
        "Pre-trained models",
        "BERT（MLM、NSP）、GPT、T5、ViT、自监督学习、词向量、长文本处理。",
        (
            "bert",
            "gpt",
            "t5",
            "vit",
            "预训练模型",
            "pre-train",
            "预训练",
            "自监督",
            "self-supervised",
            "masking input",
            "mlm",
            "nsp",
            "掩码语言模型",
            "句子预测",
            "长文本",
            "longformer",
            "cogltx",
            "memrecall",
            "judge",
            "reasoner",
            "截断法",
            "pooling法",
            "压缩法",
            "词向量",
            "字嵌入",
            "word2vec",
            "glue",
            "few-shot",
            "衍生模型",
            "马尔可夫",
            "自然语言",
            "滑动窗口",
            "全局注意力",
            "prediction-based",
        ),
    ),
    TopicSpec(
        "generative-models",
        "生成模型与自编码器",
        "Generative models and auto-encoders",
        "GAN 的生成器与判别器、训练算法，自编码器与特征解耦。",
        (
            "gan",
            "generator",
            "discriminator",
            "生成式",
            "对抗",
            "自编码",
            "自编码器",
            "auto encoder",
            "autoencoder",
            "特征解耦",
        ),
    ),
    TopicSpec(
        "reinforcement-learning",
        "强化学习",
        "Reinforcement learning",
        "策略网络、奖励与回报、policy gradient、critic 与 value function。",
        (
            "强化学习",
            "rl",
            "policy",
            "reward",
            "actor",
            "critic",
            "value function",
            "资料收集",
        ),
    ),
    TopicSpec(
        "compression",
        "模型压缩",
        "Model compression",
        "剪枝、知识蒸馏、参数量化、轻量化架构设计、动态计算。",
        (
            "压缩",
            "神经网络压缩",
            "剪枝",
            "prun",
            "蒸馏",
            "distill",
            "量化",
            "quantiz",
            "架构设计",
            "动态计算",
            "动态深度",
            "动态宽度",
            "ensemble",
            "小的网络",
            "小的模型",
        ),
    ),
    TopicSpec(
        "pytorch",
        "环境与 PyTorch 实践",
        "Environment and PyTorch practice",
        "环境配置、Dataset/DataLoader、张量、自动求导与常用 API。",
        (
            "pytorch",
            "tensor",
            "dataset",
            "dataloader",
            "conda",
            "env",
            "python",
            "可视化",
            "detach",
            "autograd",
            "代码实现",
            "函数的用法",
        ),
    ),
)

DEFAULT_TOPIC = "ml-basics"
# Short Latin keywords match whole words only ("ln" must not match "learning").
_WORD_KEYWORD = re.compile(r"^[a-z0-9]{1,4}$")


def _keyword_hits(text: str, keyword: str) -> int:
    if _WORD_KEYWORD.match(keyword):
        return len(re.findall(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])", text))
    return text.count(keyword)


def _prepare(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def topic_scores(*, question: str, heading_path: tuple[str, ...], answer: str) -> dict[str, float]:
    q = _prepare(question)
    fields: list[tuple[str, float]] = [(q, 6.0)]
    for depth, heading in enumerate(reversed(heading_path)):
        fields.append((_prepare(heading), 2.0 / (depth + 1)))
    fields.append((_prepare(answer[:300]), 0.3))
    scores: dict[str, float] = {}
    for spec in TOPICS:
        total = 0.0
        for kw in spec.keywords:
            for text, weight in fields:
                if _keyword_hits(text, kw):
                    # Longer, more specific keywords win over generic ones ("梯度消失" > "梯度").
                    total += weight * (1.0 + min(len(kw), 8) / 8)
        if total:
            scores[spec.slug] = total
    return scores


def topic_classify(*, question: str, heading_path: tuple[str, ...], answer: str) -> str:
    """Slug of the best topic for a card; ties go to the earlier topic in ``TOPICS``."""
    scores = topic_scores(question=question, heading_path=heading_path, answer=answer)
    if not scores:
        return DEFAULT_TOPIC
    order = {spec.slug: i for i, spec in enumerate(TOPICS)}
    return max(scores, key=lambda slug: (scores[slug], -order[slug]))


# --- related cards ----------------------------------------------------------------------------

_TERMS = sorted({kw for spec in TOPICS for kw in spec.keywords if len(kw) >= 2}, key=len)
_LATIN_WORD = re.compile(r"[a-z][a-z0-9\-]{2,}")
_STOP = {
    "the",
    "and",
    "for",
    "with",
    "from",
    "model",
    "train",
    "layer",
    "what",
    "how",
    "why",
    "input",
    "output",
}


def key_terms(*, question: str, heading_path: tuple[str, ...]) -> frozenset[str]:
    """Concept terms of a card: taxonomy keywords and Latin words in its question and nearest
    heading."""
    text = _prepare(" ".join([question, *heading_path[-1:]]))
    terms = {kw for kw in _TERMS if _keyword_hits(text, kw)}
    terms |= {w for w in _LATIN_WORD.findall(text) if w not in _STOP}
    # "梯度消失" already says "梯度"; keep the specific term only.
    return frozenset(t for t in terms if not any(t != o and t in o for o in terms))


def terms_normalised(terms: frozenset[str]) -> frozenset[str]:
    return frozenset(text_normalise(t) for t in terms if text_normalise(t))
