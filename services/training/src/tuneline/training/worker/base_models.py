"""Tiny random test models of the training service's own, with a chat template; the shipped base model and local
model directories are resolved by `tuneline.common.base_models`.
"""

from __future__ import annotations

from pathlib import Path

from tuneline.common.base_models import COMPLETE_MARKER, offline

# ChatML, as SmolLM2 uses it, without SmolLM2's injected default system prompt (the tiny model has no persona).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def build_tiny_model(out_dir: Path, seed: int = 0) -> Path:
    """A random 4-layer Llama (hidden 128) with a 512-token BPE trained on the maintenance samples.

    It trains in about a second per handful of steps, so tests exercise the real recipe end to end; a big
    vocabulary would dominate its cost, hence the tokenizer of its own.
    """
    if (out_dir / COMPLETE_MARKER).is_file():
        return out_dir
    offline()
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tiny_tokenizer()
    tokenizer.save_pretrained(out_dir)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(out_dir)
    (out_dir / COMPLETE_MARKER).write_text("tiny")
    return out_dir


def _train_tiny_tokenizer():  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from tuneline.common.samples import maintenance_classification, quality_summaries

    corpus = [r["text"] + " " + r["label"] for r in maintenance_classification(600, seed=123)]
    corpus += [r["prompt"] + "\n" + r["completion"] for r in quality_summaries(200, seed=123)]
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(corpus, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<pad>",
        unk_token="<|endoftext|>",
        chat_template=CHATML_TEMPLATE,
    )
