"""Records → token ids, loss masks and packed batches (tiny model tokenizer; no training)."""

from pathlib import Path

import pytest
import torch

from tuneline.common.samples import classification_prompt
from tuneline.training.worker.recipe import (
    IGNORE_INDEX,
    build_examples,
    detect_task,
    pack,
    read_records,
    summed_loss,
    to_messages,
    tokenize_with_mask,
)


def _decode_split(tokenizer, example):  # type: ignore[no-untyped-def]
    trained = [t for t, lab in zip(example.input_ids, example.labels, strict=True) if lab != IGNORE_INDEX]
    masked = [t for t, lab in zip(example.input_ids, example.labels, strict=True) if lab == IGNORE_INDEX]
    return tokenizer.decode(trained), tokenizer.decode(masked)


def test_classification_trains_only_on_the_label_and_end_of_turn(tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    record = {"text": "PRESS-04 hose burst on return line near manifold.", "label": "hydraulic"}
    labels = ["electrical", "hydraulic"]
    example = tokenize_with_mask(to_messages(record, "classification", labels), tiny_tokenizer)
    trained, masked = _decode_split(tiny_tokenizer, example)
    assert trained == "hydraulic<|im_end|>\n"
    prompt = classification_prompt(record["text"], labels)
    assert masked == f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
    # labels are the token ids themselves where trained
    assert all(lab in (IGNORE_INDEX, tok) for tok, lab in zip(example.input_ids, example.labels, strict=True))


def test_instruction_trains_only_on_the_completion(tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    record = {"prompt": "Summarise: CNC-01 burrs on 4 parts.", "completion": "CNC-01: burrs, 4 parts scrapped."}
    example = tokenize_with_mask(to_messages(record, "instruction", None), tiny_tokenizer)
    trained, masked = _decode_split(tiny_tokenizer, example)
    assert trained == "CNC-01: burrs, 4 parts scrapped.<|im_end|>\n"
    assert masked == f"<|im_start|>user\n{record['prompt']}<|im_end|>\n<|im_start|>assistant\n"


def test_conversation_trains_on_every_assistant_turn_and_no_system_or_user_turn(tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    messages = [
        {"role": "system", "content": "You help quality engineers."},
        {"role": "user", "content": "Summarise the log."},
        {"role": "assistant", "content": "Two issues, 12 parts scrapped."},
        {"role": "user", "content": "Which was worst?"},
        {"role": "assistant", "content": "Porosity: 9 parts."},
    ]
    example = tokenize_with_mask(messages, tiny_tokenizer)
    trained, masked = _decode_split(tiny_tokenizer, example)
    assert trained == "Two issues, 12 parts scrapped.<|im_end|>\nPorosity: 9 parts.<|im_end|>\n"
    assert "You help quality engineers." in masked and "Which was worst?" in masked
    assert "Porosity" not in masked


def test_examples_longer_than_max_seq_len_are_cut_and_dropped_when_no_label_survives(tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    records = [{"prompt": "word " * 200, "completion": "ok"}, {"prompt": "short", "completion": "fine"}]
    examples, stats = build_examples(records, "instruction", tiny_tokenizer, max_seq_len=64, labels=None)
    assert stats == {"records": 2, "truncated": 1, "dropped": 1}
    assert len(examples) == 1 and len(examples[0].input_ids) < 64


def test_packed_examples_do_not_attend_to_each_other(tiny_model_dir: Path, tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    a = tokenize_with_mask(
        to_messages({"prompt": "first one", "completion": "alpha"}, "instruction", None), tiny_tokenizer
    )
    b = tokenize_with_mask(
        to_messages({"prompt": "second, longer entry", "completion": "beta"}, "instruction", None), tiny_tokenizer
    )
    batch = pack([a, b], torch, torch.device("cpu"))
    with torch.no_grad():
        packed = model(input_ids=batch.input_ids, position_ids=batch.position_ids, use_cache=False).logits[0]
        alone = model(input_ids=torch.tensor([b.input_ids])).logits[0]
    torch.testing.assert_close(packed[len(a.input_ids) :], alone, rtol=1e-4, atol=1e-4)


def test_packed_loss_equals_sum_of_per_example_losses(tiny_model_dir: Path, tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    records = [{"text": "PLC watchdog timeout", "label": "software"}, {"text": "fuse F3 blown", "label": "electrical"}]
    examples, _ = build_examples(records, "classification", tiny_tokenizer, 512, ["electrical", "software"])
    batch = pack(examples, torch, torch.device("cpu"))
    expected = 0.0
    with torch.no_grad():
        for ex in examples:
            # transformers' own shifted loss is a mean over label tokens; scale back to a sum
            out = model(input_ids=torch.tensor([ex.input_ids]), labels=torch.tensor([ex.labels]))
            expected += float(out.loss) * sum(lab != IGNORE_INDEX for lab in ex.labels[1:])
        got = float(summed_loss(model, batch))
    assert got == pytest.approx(expected, rel=1e-4)
    assert batch.targets.numel() == sum(sum(lab != IGNORE_INDEX for lab in ex.labels[1:]) for ex in examples)


def test_read_records_names_the_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"text": "a", "label": "x"}\n{"text": "b", "label": \n')
    with pytest.raises(ValueError, match="train_path line 2: not valid JSON"):
        read_records(path, "train_path")


def test_read_records_names_the_record_with_a_missing_field(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"prompt": "a", "completion": "b"}\n{"prompt": "c", "completion": ""}\n')
    with pytest.raises(ValueError, match="train_path record 2: field 'completion' must be a non-empty string"):
        read_records(path, "train_path")


def test_conversation_without_assistant_turn_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "val.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    with pytest.raises(ValueError, match="validation_path record 1: messages has no assistant turn"):
        read_records(path, "validation_path")


def test_unknown_record_shape_names_its_keys() -> None:
    with pytest.raises(ValueError, match=r"unknown record shape with keys \['input', 'output'\]"):
        detect_task({"input": "a", "output": "b"})
