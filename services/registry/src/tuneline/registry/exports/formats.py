"""What an export can be: the formats, and the GGUF quantisations this installation can write.

The GGUF types offered are read from the installed `gguf` package rather than listed here: those its numpy code can
quantize (`gguf.quants` implements `quantize_blocks`, or F32/F16 which it casts) and that llama.cpp has a file type
for on a dense model (`gguf.LlamaFileType`). Two such types are left out on purpose:

- TQ1_0 and TQ2_0 store every weight as -1, 0 or +1 times a scale: right for a model trained ternary (BitNet),
  ruinous for the float models Tuneline fine-tunes.
- MXFP4 has only a mixture-of-experts file type in llama.cpp (`MOSTLY_MXFP4_MOE`), none for a dense model.

K-quants (Q4_K_M, Q5_K_M, ...) have no numpy quantizer in `gguf`; llama.cpp's `llama-quantize` makes them from an
exported F16 or F32 file, which the refusal says.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tuneline.common.errors import InvalidInput


class ExportError(RuntimeError):
    """An export that cannot be made or failed its check; the message is the reason the export records, and
    `verification` the check's record when the check is what failed."""

    def __init__(self, message: str, verification: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.verification = verification


class ExportFormat(StrEnum):
    MERGED = "merged"  # base model with the adapter merged in, safetensors + config + tokenizer
    GGUF = "gguf"  # one GGUF file for llama.cpp / Ollama
    ADAPTER = "adapter"  # the PEFT adapter files as trained


#: What an omitted GGUF quantization means: 8-bit, a quarter of float32's size, close to its outputs.
DEFAULT_GGUF_QUANTIZATION = "Q8_0"
#: Types `gguf` can write that make no sense for the models Tuneline trains (see the module docstring).
EXCLUDED = {
    "TQ1_0": "ternary weights, for models trained ternary (BitNet)",
    "TQ2_0": "ternary weights, for models trained ternary (BitNet)",
}
#: Types whose GGUF holds the merged weights bit for bit: the export must reproduce the served outputs exactly.
LOSSLESS = frozenset({"F32"})


@dataclass(frozen=True)
class ExportKind:
    """A validated request: the format and, for GGUF, the quantization (None for the others)."""

    format: ExportFormat
    quantization: str | None

    @property
    def exact(self) -> bool:
        """Whether the export must give the served model's outputs exactly (everything but a lossy GGUF)."""
        return self.format is not ExportFormat.GGUF or self.quantization in LOSSLESS


@functools.cache
def gguf_quantizations() -> tuple[str, ...]:
    """The GGUF tensor types offered, largest first (F32, F16, BF16, Q8_0, ...), as the installed `gguf` defines."""
    import gguf
    from gguf import quants

    base: dict[Any, Any] = quants._type_traits  # every quantization class, keyed by type
    abstract: Any = next(iter(base.values())).__mro__[1]  # their common base, whose quantize_blocks raises
    offered = []
    for qtype in gguf.GGMLQuantizationType:
        name = qtype.name
        if name in EXCLUDED or not _has_file_type(gguf, name):
            continue
        if name in ("F32", "F16"):
            offered.append(qtype)
            continue
        cls = base.get(qtype)
        if cls is not None and cls.quantize_blocks.__func__ is not abstract.quantize_blocks.__func__:
            offered.append(qtype)
    bits = {q: gguf.GGML_QUANT_SIZES[q][1] * 8 / gguf.GGML_QUANT_SIZES[q][0] for q in offered}
    return tuple(q.name for q in sorted(offered, key=lambda q: (-bits[q], q.name)))


def _has_file_type(gguf: object, name: str) -> bool:
    file_types = gguf.LlamaFileType  # type: ignore[attr-defined]
    return name == "F32" or hasattr(file_types, f"MOSTLY_{name}")


def llama_file_type(quantization: str) -> int:
    """`general.file_type` for a file whose 2-D tensors are `quantization`."""
    import gguf

    return int(gguf.LlamaFileType.ALL_F32 if quantization == "F32" else gguf.LlamaFileType[f"MOSTLY_{quantization}"])


def validate(format_: ExportFormat, quantization: str | None) -> ExportKind:
    """The export a request asks for, or a 422 naming `quantization` and what is supported."""
    if format_ is not ExportFormat.GGUF:
        if quantization is not None:
            raise InvalidInput(
                f"quantization applies to format 'gguf' only; a {format_.value} export keeps the trained precision",
                field="quantization",
            )
        return ExportKind(format_, None)
    supported = gguf_quantizations()
    wanted = (quantization or DEFAULT_GGUF_QUANTIZATION).strip().upper()
    if wanted not in supported:
        hint = ""
        if "_K" in wanted:
            hint = (
                "; K-quants have no quantizer in the gguf package: export F16 (or F32) and run llama.cpp's "
                f"llama-quantize on it to get {wanted}"
            )
        elif wanted in EXCLUDED:
            hint = f"; {wanted} is left out: {EXCLUDED[wanted]}"
        raise InvalidInput(
            f"quantization {quantization!r} is not supported for GGUF; supported: {', '.join(supported)}{hint}",
            field="quantization",
            supported=list(supported),
        )
    return ExportKind(format_, wanted)
