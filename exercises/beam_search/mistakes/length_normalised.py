MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: 4 tokens, beam 2, up to 3 steps": "wrong_answer",
        "random model, V=6, beam 3": "wrong_answer",
    },
    "diagnosis": {
        "en": "the best finished hypothesis is picked by score / length: compare the plain sums of log-probabilities",
        "zh": "按 分数 / 长度 选择最好的完成假设：应直接比较对数概率之和",
    },
}


def beam_search(start_log_probs, transition_log_probs, eos_id, beam_size, max_len):
    live, finished = [((), 0.0)], []
    for step in range(1, max_len + 1):
        candidates = []
        for seq, score in live:
            row = start_log_probs if not seq else transition_log_probs[seq[-1]]
            candidates += [(seq + (v,), score + float(row[v])) for v in range(len(row))]
        candidates.sort(key=lambda c: (-c[1], c[0]))
        live = []
        for seq, score in candidates[: beam_size - len(finished)]:
            if seq[-1] == eos_id or step == max_len:
                finished.append((seq, score))
            else:
                live.append((seq, score))
        if not live:
            break
    seq, score = min(finished, key=lambda f: (-f[1] / len(f[0]), f[0]))
    return list(seq), score / len(seq)
