import torch


def beam_search(
    start_log_probs: torch.Tensor,
    transition_log_probs: torch.Tensor,
    eos_id: int,
    beam_size: int,
    max_len: int,
) -> tuple[list[int], float]:
    """Beam search on a bigram model: (tokens, score) of the best finished hypothesis."""
    raise NotImplementedError
