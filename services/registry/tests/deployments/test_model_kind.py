"""Which gateway behaviour a served model gets: an encoder base model makes its versions classifiers."""

from pathlib import Path

from tuneline.registry.deployments.service import model_kind


def test_an_encoder_base_model_by_name_by_mapping_or_by_directory_serves_a_classifier(tmp_path: Path) -> None:
    bert = tmp_path / "bert"
    bert.mkdir()
    (bert / "config.json").write_text('{"model_type": "bert"}')
    llama = tmp_path / "llama"
    llama.mkdir()
    (llama / "config.json").write_text('{"model_type": "llama"}')

    assert model_kind("all-minilm-l6-v2", {}) == "encoder"
    assert model_kind("sentence-transformers/all-MiniLM-L6-v2", {}) == "encoder"
    assert model_kind(str(bert), {}) == "encoder"
    assert model_kind("tickets-encoder", {"tickets-encoder": str(bert)}) == "encoder"
    assert model_kind("smollm2-135m-instruct", {}) == "causal"
    assert model_kind(str(llama), {}) == "causal"
    assert model_kind("s3://bucket/models/unknown", {}) == "causal"  # not on this node: told by the pool's replica
