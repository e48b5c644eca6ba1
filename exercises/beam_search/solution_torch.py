import torch


def beam_search(
    start_log_probs: torch.Tensor,
    transition_log_probs: torch.Tensor,
    eos_id: int,
    beam_size: int,
    max_len: int,
) -> tuple[list[int], float]:
    live, scores, finished = [()], start_log_probs.new_zeros(1), []
    for step in range(1, max_len + 1):
        # Sort the parents lexicographically: flat candidate order is then lexicographic too.
        order = sorted(range(len(live)), key=live.__getitem__)
        live, scores = [live[i] for i in order], scores[order]
        if step == 1:
            rows = start_log_probs[None, :]
        else:
            rows = scores[:, None] + transition_log_probs[[seq[-1] for seq in live]]
        flat, vocab = rows.reshape(-1), rows.shape[1]
        k = beam_size - len(finished)
        if k < flat.numel():
            # Everything at least as good as the k-th best (ties included), in flat order.
            kth = torch.topk(flat, k).values[-1]
            pool = torch.nonzero(flat >= kth).flatten()
        else:
            pool = torch.arange(flat.numel(), device=flat.device)
        kept = pool[torch.sort(-flat[pool], stable=True).indices[:k]]
        parents, live, kept_scores = live, [], []
        for index, score in zip(kept.tolist(), flat[kept].tolist()):
            seq = parents[index // vocab] + (index % vocab,)
            if seq[-1] == eos_id or step == max_len:
                finished.append((-score, seq))
            else:
                live.append(seq)
                kept_scores.append(score)
        if not live:
            break
        scores = torch.tensor(kept_scores, dtype=flat.dtype, device=flat.device)
    cost, seq = min(finished)
    return list(seq), -cost
