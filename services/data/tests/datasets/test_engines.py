import pytest

from tuneline.data.datasets.engines import SIMPLE_TOKENIZER, Engines
from tuneline.data.settings import DataSettings


def test_unknown_base_model_falls_back_to_the_simple_counter(tmp_path):
    counter, name = Engines(DataSettings(tokenizer_cache_dir=str(tmp_path))).token_counter("no-such-model")
    assert name == SIMPLE_TOKENIZER and counter("the pump, failed") == 4


def test_configured_tokenizer_file_is_used(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, "pump": 1}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    counter, name = Engines(DataSettings(tokenizer_path=str(tmp_path))).token_counter("unknown")
    assert name.endswith("tokenizer.json") and counter("pump pump failed now") == 4


@pytest.mark.slow
def test_shipped_smollm2_tokenizer_is_extracted_once_and_cached(tmp_path):
    engines = Engines(DataSettings(tokenizer_cache_dir=str(tmp_path)))
    counter, name = engines.token_counter("smollm2-135m-instruct")
    assert name.startswith("smollm2-135m-instruct") and (tmp_path / "smollm2-135m-instruct-tokenizer.json").is_file()
    # SmolLM2's BPE splits this sentence into 6 tokens (checked against transformers' GGUF tokenizer).
    assert counter("hello world, the pump failed") == 6
    again, _ = Engines(DataSettings(tokenizer_cache_dir=str(tmp_path))).token_counter(
        "HuggingFaceTB/SmolLM2-135M-Instruct"
    )
    assert again("hello world, the pump failed") == 6
