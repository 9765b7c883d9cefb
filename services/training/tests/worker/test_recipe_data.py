"""Records → token ids, loss masks and packed batches (tiny model tokenizer; no training)."""

from pathlib import Path

import pytest
import torch

from tuneline.common.records import (
    ClassificationRecord,
    InstructionRecord,
    PromptTemplate,
    conversation,
)
from tuneline.training.worker.recipe import (
    IGNORE_INDEX,
    RecipeConfig,
    build_examples,
    pack,
    prompt_template,
    read_records,
    summed_loss,
    tokenize_with_mask,
)

TICKETS = PromptTemplate(
    instruction="Route this customer-support ticket to the team that handles it.",
    labels=["billing", "technical"],
    input_name="Ticket",
)
GENERIC = PromptTemplate.generic()


def _instruction(prompt: str, completion: str):  # type: ignore[no-untyped-def]
    return conversation(InstructionRecord(prompt, completion), GENERIC)


def _decode_split(tokenizer, example):  # type: ignore[no-untyped-def]
    trained = [t for t, lab in zip(example.input_ids, example.labels, strict=True) if lab != IGNORE_INDEX]
    masked = [t for t, lab in zip(example.input_ids, example.labels, strict=True) if lab == IGNORE_INDEX]
    return tokenizer.decode(trained), tokenizer.decode(masked)


def test_classification_trains_only_on_the_label_in_the_use_case_template(tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    record = ClassificationRecord("I was charged twice for my March invoice.", "billing")
    example = tokenize_with_mask(conversation(record, TICKETS), tiny_tokenizer)
    trained, masked = _decode_split(tiny_tokenizer, example)
    assert trained == "billing<|im_end|>\n"
    prompt = (
        "Route this customer-support ticket to the team that handles it. Answer with one of: billing, technical."
        "\n\nTicket: I was charged twice for my March invoice."
    )
    assert masked == f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
    # labels are the token ids themselves where trained
    assert all(lab in (IGNORE_INDEX, tok) for tok, lab in zip(example.input_ids, example.labels, strict=True))


def test_instruction_trains_only_on_the_completion(tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    prompt = "Summarise: CNC-01 burrs on 4 parts."
    example = tokenize_with_mask(_instruction(prompt, "CNC-01: burrs, 4 parts scrapped."), tiny_tokenizer)
    trained, masked = _decode_split(tiny_tokenizer, example)
    assert trained == "CNC-01: burrs, 4 parts scrapped.<|im_end|>\n"
    assert masked == f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"


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
    records = [InstructionRecord("word " * 200, "ok"), InstructionRecord("short", "fine")]
    examples, stats = build_examples(records, GENERIC, tiny_tokenizer, max_seq_len=64)
    assert stats == {"records": 2, "truncated": 1, "dropped": 1}
    assert len(examples) == 1 and len(examples[0].input_ids) < 64


def test_packed_examples_do_not_attend_to_each_other(tiny_model_dir: Path, tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    a = tokenize_with_mask(_instruction("first one", "alpha"), tiny_tokenizer)
    b = tokenize_with_mask(_instruction("second, longer entry", "beta"), tiny_tokenizer)
    batch = pack([a, b], torch, torch.device("cpu"))
    with torch.no_grad():
        packed = model(input_ids=batch.input_ids, position_ids=batch.position_ids, use_cache=False).logits[0]
        alone = model(input_ids=torch.tensor([b.input_ids])).logits[0]
    torch.testing.assert_close(packed[len(a.input_ids) :], alone, rtol=1e-4, atol=1e-4)


def test_packed_loss_equals_sum_of_per_example_losses(tiny_model_dir: Path, tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    records = [ClassificationRecord("PLC watchdog timeout", "software"), ClassificationRecord("fuse F3 blown", "x")]
    examples, _ = build_examples(records, PromptTemplate.generic(["software", "x"]), tiny_tokenizer, 512)
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


def test_validation_split_of_another_shape_than_training_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "val.jsonl"
    path.write_text('{"prompt": "a", "completion": "b"}\n')
    with pytest.raises(ValueError, match="validation_path line 1: a instruction record in a file of classification"):
        read_records(path, "validation_path", expected="classification")


def test_template_comes_from_the_use_case_and_labels_from_the_data_when_it_has_none(tmp_path: Path) -> None:
    records = [ClassificationRecord("a", "technical"), ClassificationRecord("b", "billing")]
    config = RecipeConfig(
        base_model="tiny",
        train_path="t",
        output_dir="o",
        prompt_template=TICKETS.model_copy(update={"labels": []}).model_dump(),
    )
    template = prompt_template(config, records)
    assert template.instruction == TICKETS.instruction and template.labels == ["billing", "technical"]
    assert (
        prompt_template(RecipeConfig(base_model="tiny", train_path="t", output_dir="o"), records)
        .render("x")
        .startswith("Classify the following text. Answer with one of: billing, technical.")
    )
