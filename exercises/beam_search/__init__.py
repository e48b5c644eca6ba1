"""beam_search(start_log_probs, transition_log_probs, eos_id, beam_size, max_len): beam search
decoding of a first-order (bigram) model, with finished hypotheses leaving the beam."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TypedDict, Unpack

import numpy as np

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F64
from exercises.specs import Float, IntList, Tuple


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class _ModelOptions(TypedDict, total=False):
    """_model's knobs beyond the sizes."""

    eos_boost: float
    quantum: float
    impossible: float
    eos: int | None


def _model(
    rng: np.random.Generator,
    vocab: int,
    beam: int,
    max_len: int,
    *,
    eos_boost: float = 0.0,
    quantum: float = 0.0,
    impossible: float = 0.0,
    eos: int | None = None,
) -> Inputs:
    """A random model; `quantum` rounds log-probabilities to exact multiples (ties), `impossible`
    sets that share of transitions to -inf (each row keeps its best), eos=-1 makes eos impossible."""
    eos_id = int(rng.integers(0, vocab)) if eos is None or eos == -1 else eos
    logits = rng.standard_normal((vocab + 1, vocab)) * 2.0
    logits[:, eos_id] += eos_boost
    log_probs = _log_softmax(logits)
    if quantum:
        log_probs = np.round(log_probs / quantum) * quantum
    drop = (rng.random(log_probs.shape) < impossible) & (
        log_probs < log_probs.max(-1, keepdims=True)
    )
    log_probs[drop] = -np.inf
    if eos == -1:
        log_probs[:, eos_id] = -np.inf
    return Inputs(args=(log_probs[0].astype(F64), log_probs[1:].astype(F64), eos_id, beam, max_len))


def _case(
    vocab: int, beam: int, max_len: int, **kwargs: Unpack[_ModelOptions]
) -> Callable[[np.random.Generator], Inputs]:
    return lambda rng: _model(rng, vocab, beam, max_len, **kwargs)


def _uniform(rng: np.random.Generator) -> Inputs:
    vocab = int(rng.integers(5, 8))
    flat = np.full(vocab, -np.log(vocab))
    return Inputs(args=(flat, np.tile(flat, (vocab, 1)), vocab - 1, 3, 4))


# Tokens A, G, eos, D. Step 1 keeps A, G and [eos] (-2.5), which finishes: two places are left.
# Step 2 keeps A A and A D; [G, eos] (-2.25) comes third. Every A path ends below -2.5, so the
# answer is [eos]; a beam that does not shrink, or keeps finished hypotheses, returns [G, eos].
SHRINK_START = np.array([-0.2, -2.2, -2.5, -4.0])
SHRINK_TRANSITION = np.array(
    [[-1.0, -6.0, -3.0, -1.2], [-4.0, -4.0, -0.05, -4.0], [-1.0] * 4, [-1.5, -6.0, -3.0, -1.5]]
)


def _shrinking(rng: np.random.Generator) -> Inputs:
    ids = rng.permutation(4)  # token i of the drawing above becomes ids[i]
    start, transition = np.empty(4), np.empty((4, 4))
    start[ids] = SHRINK_START + rng.uniform(-0.01, 0.01, 4)
    transition[np.ix_(ids, ids)] = SHRINK_TRANSITION + rng.uniform(-0.01, 0.01, (4, 4))
    return Inputs(args=(start, transition, int(ids[2]), 3, 4))


class BeamSearch(Exercise):
    slug = "beam-search"
    title_en = "Beam search decoding"
    title_zh = "束搜索（beam search）解码"
    entry_point = "beam_search"
    topic = "attention"
    cards = ("简述Decoder AT（autoregressive）", "简述seq2seq model")
    difficulty = "hard"
    position = 37
    # float64 in, float64 sums: only the summation order may differ.
    rtol = 1e-9
    atol = 1e-9
    output = Tuple(IntList(), Float(), names=("tokens", "score"))
    forbidden = ("transformers", "torchaudio", "torchtext")
    samples = (
        Sample(
            "sample: 4 tokens, beam 2, up to 3 steps",
            _case(4, 2, 3, eos=0)(np.random.default_rng(4)),
        ),
        Sample(
            "sample: eos likely, beam 3",
            _case(5, 3, 4, eos_boost=2.0, eos=4)(np.random.default_rng(6)),
        ),
    )
    hidden = (
        HiddenCase("random model, V=6, beam 3", _case(6, 3, 5)),
        HiddenCase("greedy (beam_size = 1)", _case(8, 1, 6)),
        HiddenCase("max_len = 1", _case(7, 3, 1)),
        HiddenCase("eos likely", _case(6, 4, 6, eos_boost=2.5)),
        HiddenCase("the beam shrinks as hypotheses finish", _shrinking),
        HiddenCase("eos very likely, wide beam", _case(5, 6, 5, eos_boost=4.0)),
        HiddenCase("beam wide enough to keep every sequence", _case(3, 39, 3)),
        HiddenCase("uniform model: every score ties", _uniform),
        HiddenCase("log-probabilities rounded to 1: many ties", _case(5, 3, 5, quantum=1.0)),
        HiddenCase("ties with eos likely", _case(5, 4, 6, quantum=0.5, eos_boost=2.0)),
        HiddenCase("impossible transitions (-inf)", _case(6, 4, 5, impossible=0.5)),
        HiddenCase("eos impossible: every hypothesis reaches max_len", _case(5, 3, 4, eos=-1)),
        HiddenCase("larger vocabulary, V=60, beam 5", _case(60, 5, 8, eos_boost=3.0)),
    )
    performance = PerformanceTest(
        name="fast enough for V=2000, beam 8, max_len 32",
        make=_case(2000, 8, 32),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        start_log_probs: np.ndarray,
        transition_log_probs: np.ndarray,
        eos_id: int,
        beam_size: int,
        max_len: int,
    ) -> tuple[list[int], float]:
        start = np.asarray(start_log_probs, dtype=F64)
        transition = np.asarray(transition_log_probs, dtype=F64)
        live: list[tuple[int, ...]] = [()]
        scores = np.zeros(1)
        finished: list[tuple[float, tuple[int, ...]]] = []
        for step in range(1, max_len + 1):
            # Parents in lexicographic order, then tokens ascending: flat order is lexicographic,
            # so a stable sort on the score breaks ties by the smaller token list.
            order = sorted(range(len(live)), key=live.__getitem__)
            live, scores = [live[i] for i in order], scores[order]
            rows = (
                start[None, :] if step == 1 else scores[:, None] + transition[[s[-1] for s in live]]
            )
            flat = rows.ravel()
            kept = np.argsort(-flat, kind="stable")[: beam_size - len(finished)]
            parents = live
            live = []
            kept_scores: list[float] = []
            for index in kept.tolist():
                seq = parents[index // rows.shape[1]] + (index % rows.shape[1],)
                if seq[-1] == eos_id or step == max_len:
                    finished.append((-float(flat[index]), seq))
                else:
                    live.append(seq)
                    kept_scores.append(float(flat[index]))
            if not live:
                break
            scores = np.asarray(kept_scores, dtype=F64)
        cost, seq = min(finished)
        return list(seq), -cost

    def oracle(
        self,
        start_log_probs: np.ndarray,
        transition_log_probs: np.ndarray,
        eos_id: int,
        beam_size: int,
        max_len: int,
    ) -> tuple[list[int], float]:
        """The contract's rule on explicit token tuples, each score summed from scratch; where the
        beam can hold every sequence, also the best of a full enumeration."""
        vocab = len(start_log_probs)

        def rank(seq: tuple[int, ...]) -> tuple[float, tuple[int, ...]]:
            total = float(start_log_probs[seq[0]])
            for a, b in itertools.pairwise(seq):
                total += float(transition_log_probs[a, b])
            return -total, seq

        live: list[tuple[int, ...]] = [()]
        finished: list[tuple[int, ...]] = []
        for length in range(1, max_len + 1):
            ranked = sorted(rank(seq + (v,)) for seq in live for v in range(vocab))
            kept = [seq for _, seq in ranked[: beam_size - len(finished)]]
            finished += [s for s in kept if s[-1] == eos_id or length == max_len]
            live = [s for s in kept if s[-1] != eos_id and length < max_len]
            if not live:
                break
        cost, best = min(rank(seq) for seq in finished)
        if beam_size >= sum(vocab**t for t in range(1, max_len + 1)):
            every = (
                seq
                for length in range(1, max_len + 1)
                for seq in itertools.product(range(vocab), repeat=length)
                if eos_id not in seq[:-1] and (seq[-1] == eos_id or length == max_len)
            )
            assert min(rank(seq) for seq in every) == (cost, best), "beam is not exhaustive"
        return list(best), -cost
