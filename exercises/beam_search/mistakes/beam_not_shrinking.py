MISTAKE = {
    "framework": "numpy",
    "expect": {
        "the beam shrinks as hypotheses finish": "wrong_answer",
    },
    "messages": {"the beam shrinks as hypotheses finish": "tokens: expected ["},
    "diagnosis": {
        "en": "the beam always keeps beam_size live hypotheses: each finished one must take a place, keep beam_size - finished",
        "zh": "束中始终保留 beam_size 个未完成的假设：每完成一个就占掉一个名额，应只保留 beam_size - 已完成数",
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
        for seq, score in candidates[:beam_size]:
            if seq[-1] == eos_id or step == max_len:
                finished.append((seq, score))
            else:
                live.append((seq, score))
        if not live:
            break
    seq, score = min(finished, key=lambda f: (-f[1], f[0]))
    return list(seq), score
