MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "uniform model: every score ties": "wrong_answer",
        "log-probabilities rounded to 1: many ties": "wrong_answer",
    },
    "diagnosis": {
        "en": "ties go to the lexicographically larger token list: equal scores must keep the smaller one",
        "zh": "分数相同时选了字典序更大的 token 序列：应保留字典序更小的",
    },
}


def beam_search(start_log_probs, transition_log_probs, eos_id, beam_size, max_len):
    live, finished = [((), 0.0)], []
    for step in range(1, max_len + 1):
        candidates = []
        for seq, score in live:
            row = start_log_probs if not seq else transition_log_probs[seq[-1]]
            candidates += [(seq + (v,), score + float(row[v])) for v in range(len(row))]
        candidates.sort(key=lambda c: (c[1], c[0]), reverse=True)
        live = []
        for seq, score in candidates[: beam_size - len(finished)]:
            if seq[-1] == eos_id or step == max_len:
                finished.append((seq, score))
            else:
                live.append((seq, score))
        if not live:
            break
    seq, score = max(finished, key=lambda f: (f[1], f[0]))
    return list(seq), score
