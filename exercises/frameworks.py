"""Plain data to a framework's values and back, on the trusted side (the sandbox's driver does the
same inside the child): ndarrays become tensors under torch, tensors become ndarrays again."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_framework(value: Any, *, framework: str, device: str = "cpu") -> Any:
    """A writable copy of plain data in the framework's types."""
    if isinstance(value, np.ndarray):
        if framework == "torch":
            import torch

            return torch.from_numpy(np.array(value, copy=True)).to(device)
        return np.array(value, copy=True)
    if isinstance(value, tuple | list):
        return type(value)(to_framework(item, framework=framework, device=device) for item in value)
    if isinstance(value, dict):
        return {
            key: to_framework(item, framework=framework, device=device)
            for key, item in value.items()
        }
    return value


def to_plain(value: Any) -> Any:
    """Tensors back to ndarrays (detached, on the CPU); numpy scalars to 0-d arrays."""
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return np.asarray(value)
    if isinstance(value, tuple | list):
        return type(value)(to_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value
