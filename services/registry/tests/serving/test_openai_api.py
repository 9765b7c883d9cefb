import pytest
from openai.types import Completion
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from tuneline.registry.serving import openai_api as oa

SERVED = {"version": 3, "version_id": "vid-3", "arm": "canary"}


def test_chat_completion_is_parsed_by_the_openai_client_types() -> None:
    body = oa.chat_completion("chatcmpl-1", "maint", "pump fault", "stop", 12, 3, SERVED)
    parsed = ChatCompletion.model_validate(body)
    assert parsed.choices[0].message.content == "pump fault"
    assert parsed.usage is not None and parsed.usage.total_tokens == 15
    assert parsed.model_extra == {"tuneline": SERVED}


def test_stream_chunks_and_completions_are_parsed_by_the_openai_client_types() -> None:
    chunk = ChatCompletionChunk.model_validate(oa.chat_chunk("c", "maint", 1, SERVED, {"content": "pu"}, None))
    assert chunk.choices[0].delta.content == "pu"
    done = ChatCompletionChunk.model_validate(oa.usage_chunk("c", "maint", 1, "chat.completion.chunk", 4, 2))
    assert done.usage is not None and done.usage.completion_tokens == 2
    comp = Completion.model_validate(oa.completion("cmpl-1", "maint", "ok", "length", 4, 16, SERVED))
    assert comp.choices[0].text == "ok" and comp.choices[0].finish_reason == "length"


def test_request_errors_name_the_field_at_fault() -> None:
    with pytest.raises(oa.RequestError) as exc:
        oa.parse_request(oa.ChatCompletionRequest, {"model": "m", "messages": [], "temperature": 0})
    assert exc.value.param == "messages" and exc.value.status == 400
    with pytest.raises(oa.RequestError) as exc:
        oa.parse_request(oa.CompletionRequest, {"model": "m", "prompt": "x", "temperature": 3})
    assert exc.value.param == "temperature"
    assert exc.value.body()["error"]["param"] == "temperature"
    with pytest.raises(oa.RequestError, match="n: "):
        oa.parse_request(oa.CompletionRequest, {"model": "m", "prompt": "x", "n": 2})
    with pytest.raises(oa.RequestError, match="JSON object"):
        oa.parse_request(oa.CompletionRequest, ["not", "an", "object"])


def test_max_tokens_defaults_and_server_cap() -> None:
    chat = oa.parse_request(oa.ChatCompletionRequest, {"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert chat.params(chat.requested_max(), cap=1000).max_new_tokens == oa.DEFAULT_CHAT_MAX_TOKENS
    comp = oa.parse_request(oa.CompletionRequest, {"model": "m", "prompt": "x", "max_tokens": 500, "stop": "\n"})
    params = comp.params(comp.requested_max(), cap=64)
    assert params.max_new_tokens == 64 and params.stop == ("\n",)


def test_content_parts_and_developer_role_become_plain_chat_turns() -> None:
    req = oa.parse_request(
        oa.ChatCompletionRequest,
        {
            "model": "m",
            "messages": [
                {"role": "developer", "content": "be brief"},
                {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
            ],
        },
    )
    assert req.message_dicts() == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "ab"}]


def test_classify_wraps_the_raw_input_in_the_versions_template_and_matches_the_label() -> None:
    from tuneline.common.records import PromptTemplate

    template = PromptTemplate(instruction="Route this ticket.", labels=["billing", "shipping"], input_name="Ticket")
    request = oa.parse_request(oa.ClassifyRequest, {"model": "tickets", "input": "Where is my parcel?"})
    messages = oa.classify_messages(template, 2, request.input)
    assert messages == [{"role": "user", "content": template.render("Where is my parcel?")}]
    body = oa.classification("cls-1", "tickets", " Shipping.\n", template.labels, 30, 2, SERVED)
    assert (body["label"], body["output"], body["labels"]) == ("shipping", " Shipping.\n", ["billing", "shipping"])
    assert oa.classification("cls-2", "tickets", "refund", template.labels, 1, 1, SERVED)["label"] is None


def test_classify_refuses_a_version_without_a_classification_template_and_unknown_fields() -> None:
    from tuneline.common.records import PromptTemplate

    with pytest.raises(oa.RequestError, match="version 4 has no classification prompt template") as exc:
        oa.classify_messages(None, 4, "x")
    assert exc.value.status == 409
    with pytest.raises(oa.RequestError, match="version 4 has no classification prompt template"):
        oa.classify_messages(PromptTemplate(instruction="Summarise."), 4, "x")
    with pytest.raises(oa.RequestError) as bad:
        oa.parse_request(oa.ClassifyRequest, {"model": "m", "input": "x", "messages": []})
    assert bad.value.param == "messages" and bad.value.status == 400
