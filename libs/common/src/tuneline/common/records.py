"""Dataset records and prompt templates: the one contract training, evaluation, serving and drift share.

Record shapes (one JSON object per line, as the data service stores every dataset version):

- classification:  ``{"text": str, "label": str}``
- instruction:     ``{"prompt": str, "completion": str}``
- conversational:  ``{"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...]}`` with an
  assistant turn after at least one other turn (the last assistant turn is the reference answer)
- text:            ``{"text": str, "source": str | None, "page": int | None}`` (no target: not trainable)

Every shape may carry an ``"id"`` (string or integer) that names the record in reports. Any other field is
refused, naming the line and the field: synonyms such as ``input``/``output`` are mapped to these names by the
data service at upload, and a system prompt belongs in a conversational record's ``messages``. A file holds
one shape; the first record decides which.

A classification record is only an input and a label; the words the model sees come from the use case's
``PromptTemplate`` (its task description, label set and output format from the intake form), so training,
evaluation, serving and drift phrase every input identically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

RecordFormat = Literal["classification", "instruction", "conversational", "text"]
Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")

_FIELDS: dict[RecordFormat, frozenset[str]] = {
    "classification": frozenset({"text", "label", "id"}),
    "instruction": frozenset({"prompt", "completion", "id"}),
    "conversational": frozenset({"messages", "id"}),
    "text": frozenset({"text", "source", "page", "id"}),
}
_EXPECTED_SHAPES = '{"text","label"}, {"prompt","completion"}, {"messages"} or {"text"}'


class Message(TypedDict):
    role: Role
    content: str


class RecordError(ValueError):
    """A record that breaks the contract; the message names the line (or record) and the field."""


# ------------------------------------------------------------------------------------------------ prompt template


class PromptTemplate(BaseModel):
    """How one use case asks its model: the instruction, the labels to choose from, the answer's format.

    ``render(text)`` is the user turn for one input::

        {instruction} Answer with one of: {labels}. {output_format}

        {input_name}: {text}

    It is defined by the use case's intake form, stored with the dataset version and the model version, and
    applied by the training recipe, the evaluation runner, the serving gateway (``/v1/classify``) and drift.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    instruction: str = Field(
        min_length=1,
        max_length=2000,
        description="The task, said to the model for every input, e.g. 'Route this support ticket to a team.'",
    )
    labels: list[str] = Field(
        default_factory=list, description="Labels the model must answer with (classification); empty otherwise."
    )
    output_format: str | None = Field(
        default=None, max_length=1000, description="Extra words on the answer's form, e.g. 'Reply with the label only.'"
    )
    input_name: str = Field(
        default="Input", min_length=1, max_length=50, description="What one input is called, e.g. 'Ticket'."
    )

    @classmethod
    def generic(cls, labels: Sequence[str] = ()) -> PromptTemplate:
        """The neutral wording for data that came with no use-case template (no domain assumed)."""
        instruction = "Classify the following text." if labels else "Respond to the following input."
        return cls(instruction=instruction, labels=list(labels), input_name="Text" if labels else "Input")

    def with_labels(self, labels: Sequence[str]) -> PromptTemplate:
        """This template with a label set, when it has none of its own."""
        return self if self.labels or not labels else self.model_copy(update={"labels": list(labels)})

    @property
    def prefix(self) -> str:
        """Everything of the rendered user turn before the input itself."""
        head = [self.instruction.strip()]
        if self.labels:
            head.append(f"Answer with one of: {', '.join(self.labels)}.")
        if self.output_format:
            head.append(self.output_format.strip())
        return f"{' '.join(head)}\n\n{self.input_name}: "

    def render(self, text: str) -> str:
        return self.prefix + text

    def messages(self, text: str) -> list[Message]:
        """The prompt turns for one raw input (what a served model is sent)."""
        return [{"role": "user", "content": self.render(text)}]

    def input_of(self, prompt: str) -> str:
        """The raw input inside a rendered prompt; a prompt not rendered by this template is returned whole."""
        prefix = self.prefix
        return prompt[len(prefix) :] if prompt.startswith(prefix) else prompt


# ------------------------------------------------------------------------------------------------ record shapes


@dataclass(frozen=True, slots=True)
class ClassificationRecord:
    text: str
    label: str
    id: str | None = None
    format: Literal["classification"] = "classification"

    def prompt(self, template: PromptTemplate) -> list[Message]:
        return template.messages(self.text)

    @property
    def reference(self) -> str:
        return self.label

    @property
    def input_text(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class InstructionRecord:
    prompt_text: str
    completion: str
    id: str | None = None
    format: Literal["instruction"] = "instruction"

    def prompt(self, template: PromptTemplate) -> list[Message]:
        # The prompt of an instruction record is already the full request; the template does not wrap it.
        return [{"role": "user", "content": self.prompt_text}]

    @property
    def reference(self) -> str:
        return self.completion

    @property
    def input_text(self) -> str:
        return self.prompt_text


@dataclass(frozen=True, slots=True)
class ConversationalRecord:
    messages: tuple[Message, ...]
    id: str | None = None
    format: Literal["conversational"] = "conversational"

    @property
    def _last_answer(self) -> int:
        return max(i for i, m in enumerate(self.messages) if m["role"] == "assistant")

    def prompt(self, template: PromptTemplate) -> list[Message]:
        return list(self.messages[: self._last_answer])

    @property
    def reference(self) -> str:
        return self.messages[self._last_answer]["content"]

    @property
    def input_text(self) -> str:
        return "\n".join(m["content"] for m in self.messages if m["role"] == "user")


@dataclass(frozen=True, slots=True)
class TextRecord:
    text: str
    source: str | None = None
    page: int | None = None
    id: str | None = None
    format: Literal["text"] = "text"

    def prompt(self, template: PromptTemplate) -> list[Message]:
        return template.messages(self.text)

    @property
    def reference(self) -> str:
        raise RecordError("text records have no reference answer")

    @property
    def input_text(self) -> str:
        return self.text


Record = ClassificationRecord | InstructionRecord | ConversationalRecord | TextRecord


def conversation(record: Record, template: PromptTemplate) -> list[Message]:
    """The whole conversation a model learns from: the prompt turns and the answer (a training example)."""
    if isinstance(record, ConversationalRecord):
        return list(record.messages)
    return [*record.prompt(template), {"role": "assistant", "content": record.reference}]


def labels_of(records: Iterable[Record]) -> list[str]:
    """The sorted distinct labels of classification records."""
    return sorted({r.label for r in records if isinstance(r, ClassificationRecord)})


# ------------------------------------------------------------------------------------------------ the reader


def detect_format(row: Mapping[str, Any], where: str) -> RecordFormat:
    if "messages" in row:
        return "conversational"
    if "prompt" in row or "completion" in row:
        return "instruction"
    if "label" in row:
        return "classification"
    if "text" in row:
        return "text"
    raise RecordError(f"{where}: unknown record shape with fields {sorted(row)}; expected {_EXPECTED_SHAPES}")


def _string(row: Mapping[str, Any], name: str, where: str) -> str:
    if name not in row:
        raise RecordError(f"{where}: field {name!r} is missing")
    value = row[name]
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{where}: field {name!r} must be a non-empty string")
    return value


def _optional_string(row: Mapping[str, Any], name: str, where: str) -> str | None:
    value = row.get(name)
    if value is not None and not isinstance(value, str):
        raise RecordError(f"{where}: field {name!r} must be a string")
    return value


def _record_id(row: Mapping[str, Any], where: str) -> str | None:
    value = row.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(f"{where}: field 'id' must be a string or an integer")
    return str(value)


def _messages(row: Mapping[str, Any], where: str) -> tuple[Message, ...]:
    raw = row["messages"]
    if not isinstance(raw, list) or not raw:
        raise RecordError(f"{where}: field 'messages' must be a non-empty list")
    messages: list[Message] = []
    for i, message in enumerate(raw):
        if not isinstance(message, Mapping):
            raise RecordError(f"{where}: messages[{i}] must be an object with a role and a content")
        role = message.get("role")
        if role not in ROLES:
            raise RecordError(f"{where}: messages[{i}].role must be one of {', '.join(ROLES)}")
        content = message.get("content")
        if not isinstance(content, str):
            raise RecordError(f"{where}: messages[{i}].content must be a string")
        extra = sorted(set(message) - {"role", "content"})
        if extra:
            raise RecordError(f"{where}: messages[{i}] has unknown field {extra[0]!r}")
        messages.append({"role": role, "content": content})
    answers = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
    if not answers or answers[-1] == 0:
        raise RecordError(f"{where}: field 'messages' needs an assistant turn after at least one prompt turn")
    return tuple(messages)


def parse_record(row: object, where: str, expected: RecordFormat | None = None) -> Record:
    """One record from its decoded JSON; ``expected`` is the shape the rest of its file has."""
    if not isinstance(row, Mapping):
        raise RecordError(f"{where}: expected a JSON object, got {type(row).__name__}")
    found = detect_format(row, where)
    if expected is not None and found != expected:
        raise RecordError(f"{where}: a {found} record in a file of {expected} records (fields {sorted(row)})")
    unknown = sorted(set(row) - _FIELDS[found])
    if unknown:
        raise RecordError(
            f"{where}: unknown field {unknown[0]!r} in a {found} record; allowed: {', '.join(sorted(_FIELDS[found]))}"
        )
    record_id = _record_id(row, where)
    if found == "classification":
        return ClassificationRecord(_string(row, "text", where), _string(row, "label", where).strip(), record_id)
    if found == "instruction":
        return InstructionRecord(_string(row, "prompt", where), _string(row, "completion", where), record_id)
    if found == "conversational":
        return ConversationalRecord(_messages(row, where), record_id)
    page = row.get("page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int)):
        raise RecordError(f"{where}: field 'page' must be an integer")
    return TextRecord(_string(row, "text", where), _optional_string(row, "source", where), page, record_id)


def iter_rows(lines: Iterable[str | bytes], name: str) -> Iterator[tuple[str, Any]]:
    """(where, decoded JSON) per non-blank line; ``where`` names ``name`` and the line for error messages."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            yield where, json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise RecordError(f"{where}: not valid JSON ({getattr(error, 'msg', error)})") from error
        except RecursionError as error:
            raise RecordError(f"{where}: JSON nested too deeply") from error


def iter_jsonl(lines: Iterable[str | bytes], name: str, expected: RecordFormat | None = None) -> Iterator[Record]:
    """Records of JSON lines (blank lines skipped); errors name ``name``, the line and the field."""
    shape = expected
    for where, row in iter_rows(lines, name):
        record = parse_record(row, where, shape)
        shape = record.format
        yield record


def read_jsonl(lines: Iterable[str | bytes], name: str, expected: RecordFormat | None = None) -> list[Record]:
    """Every record of a JSON-lines source; an empty source is refused."""
    records = list(iter_jsonl(lines, name, expected))
    if not records:
        raise RecordError(f"{name}: holds no records")
    return records


def read_file(path: Path, name: str, expected: RecordFormat | None = None) -> list[Record]:
    if not path.is_file():
        raise FileNotFoundError(f"{name}: {path} does not exist")
    with path.open(encoding="utf-8") as handle:
        return read_jsonl(handle, name, expected)
