"""Where inference runs: CUDA in bfloat16 when this process sees a GPU, else the CPU in float32.

Evaluation runners and serving replicas call `inference_device()` once when they load a model; the training recipe
chooses its own (QLoRA needs CUDA). `TUNELINE_DEVICE=cpu` keeps a process on the CPU even where a GPU is visible
(a GPU reserved for training, or a comparison run). torch is imported only when called.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

DEVICE_ENV = "TUNELINE_DEVICE"


@dataclass(frozen=True)
class InferenceDevice:
    device: str  # "cuda" or "cpu"
    dtype: Any  # a torch dtype

    @property
    def is_gpu(self) -> bool:
        return self.device == "cuda"


def inference_device() -> InferenceDevice:
    import torch

    wanted = os.environ.get(DEVICE_ENV, "auto").strip().lower()
    if wanted not in ("auto", "cpu", "cuda"):
        raise ValueError(f"{DEVICE_ENV}={wanted!r}: expected auto, cpu or cuda")
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"{DEVICE_ENV}=cuda but torch sees no CUDA device (a CPU build of torch, or no GPU here)")
    if wanted != "cpu" and torch.cuda.is_available():
        return InferenceDevice("cuda", torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)
    return InferenceDevice("cpu", torch.float32)
