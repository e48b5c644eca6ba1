import numpy as np


def beam_search(
    start_log_probs: np.ndarray,
    transition_log_probs: np.ndarray,
    eos_id: int,
    beam_size: int,
    max_len: int,
) -> tuple[list[int], float]:
    live, scores, finished = [()], np.zeros(1), []
    for step in range(1, max_len + 1):
        # Sort the parents lexicographically: flat candidate order is then lexicographic too.
        order = sorted(range(len(live)), key=live.__getitem__)
        live, scores = [live[i] for i in order], scores[order]
        if step == 1:
            rows = start_log_probs[None, :]
        else:
            rows = scores[:, None] + transition_log_probs[[seq[-1] for seq in live]]
        flat, vocab = rows.ravel(), rows.shape[1]
        k = beam_size - len(finished)
        if k < flat.size:
            # Everything at least as good as the k-th best (ties included), in flat order.
            kth = np.partition(flat, flat.size - k)[flat.size - k]
            pool = np.flatnonzero(flat >= kth)
        else:
            pool = np.arange(flat.size)
        kept = pool[np.argsort(-flat[pool], kind="stable")[:k]]
        parents, live, scores = live, [], []
        for index in kept.tolist():
            seq = parents[index // vocab] + (index % vocab,)
            if seq[-1] == eos_id or step == max_len:
                finished.append((-float(flat[index]), seq))
            else:
                live.append(seq)
                scores.append(flat[index])
        if not live:
            break
        scores = np.array(scores)
    cost, seq = min(finished)
    return list(seq), -cost
