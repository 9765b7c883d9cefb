"""Which exports can be asked for: formats, the GGUF quantizations the installed gguf package writes, the 422s."""

import numpy as np
import pytest

from tuneline.common.errors import InvalidInput
from tuneline.registry.exports.formats import (
    DEFAULT_GGUF_QUANTIZATION,
    ExportFormat,
    gguf_quantizations,
    llama_file_type,
    validate,
)


def test_offered_gguf_types_are_those_the_gguf_package_quantizes_with_numpy() -> None:
    import gguf

    offered = gguf_quantizations()
    assert {"F32", "F16", "Q8_0", "Q4_0"} <= set(offered)
    rows = np.linspace(-1, 1, 2 * 256, dtype=np.float32).reshape(2, 256)
    for name in offered:
        qtype = gguf.GGMLQuantizationType[name]
        back = gguf.quants.dequantize(gguf.quants.quantize(rows, qtype), qtype)
        assert back.shape == rows.shape, name
        assert np.abs(back - rows).max() < 0.2, name  # a real quantizer, not a placeholder
        assert llama_file_type(name) >= 0


def test_types_without_a_numpy_quantizer_or_meant_for_ternary_models_are_not_offered() -> None:
    offered = set(gguf_quantizations())
    assert not {"Q4_K", "Q6_K", "IQ4_NL", "TQ1_0", "TQ2_0", "MXFP4"} & offered


def test_offered_types_run_from_largest_to_smallest() -> None:
    offered = gguf_quantizations()
    assert offered[0] == "F32"
    assert offered.index("Q8_0") < offered.index("Q4_0")


def test_gguf_defaults_to_q8_0_and_reads_the_type_in_any_case() -> None:
    assert validate(ExportFormat.GGUF, None).quantization == DEFAULT_GGUF_QUANTIZATION == "Q8_0"
    assert validate(ExportFormat.GGUF, "q4_0").quantization == "Q4_0"


def test_a_k_quant_is_refused_naming_the_field_the_supported_types_and_llama_quantize() -> None:
    with pytest.raises(InvalidInput) as refused:
        validate(ExportFormat.GGUF, "Q4_K_M")
    body = refused.value.to_body()
    assert body["field"] == "quantization"
    assert body["supported"] == list(gguf_quantizations())
    assert "Q8_0" in body["detail"] and "llama-quantize" in body["detail"]


def test_a_ternary_type_is_refused_with_why() -> None:
    with pytest.raises(InvalidInput, match="BitNet"):
        validate(ExportFormat.GGUF, "TQ1_0")


@pytest.mark.parametrize("format_", [ExportFormat.MERGED, ExportFormat.ADAPTER])
def test_quantization_is_refused_for_formats_that_keep_the_trained_precision(format_: ExportFormat) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate(format_, "Q8_0")
    assert refused.value.field == "quantization"
    assert validate(format_, None).quantization is None


def test_only_lossy_gguf_types_are_allowed_to_differ_from_serving() -> None:
    assert validate(ExportFormat.MERGED, None).exact
    assert validate(ExportFormat.ADAPTER, None).exact
    assert validate(ExportFormat.GGUF, "F32").exact
    assert not validate(ExportFormat.GGUF, "F16").exact
    assert not validate(ExportFormat.GGUF, "Q8_0").exact
