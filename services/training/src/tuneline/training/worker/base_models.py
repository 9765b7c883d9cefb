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


def build_tiny_encoder(out_dir: Path, seed: int = 0) -> Path:
    """A random 2-layer BERT (hidden 64) with a 512-token WordPiece trained on the maintenance samples: the
    encoder counterpart of `build_tiny_model`, for tests of the classification recipe and its serving."""
    if (out_dir / COMPLETE_MARKER).is_file():
        return out_dir
    offline()
    import torch
    from transformers import BertConfig, BertModel

    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tiny_wordpiece()
    tokenizer.save_pretrained(out_dir)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        # A wider init than BERT's 0.02 keeps word identity visible through the random layers, so LoRA (which
        # cannot retrain the embeddings) has features to adapt within a test's few dozen steps; no dropout, so
        # the few steps are not spent averaging noise.
        initializer_range=0.2,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(out_dir)
    (out_dir / COMPLETE_MARKER).write_text("tiny-encoder")
    return out_dir


def _train_tiny_wordpiece():  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    from tuneline.common.samples import maintenance_classification

    corpus = [r["text"] for r in maintenance_classification(600, seed=123)]
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    wordpiece = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.decoder = decoders.WordPiece()
    wordpiece.train_from_iterator(corpus, trainer=trainers.WordPieceTrainer(vocab_size=512, special_tokens=specials))
    cls, sep = wordpiece.token_to_id("[CLS]"), wordpiece.token_to_id("[SEP]")
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=wordpiece,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=256,
    )
