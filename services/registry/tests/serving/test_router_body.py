"""The router turns any hostile request body into a 400 naming what is wrong, never a 500 (no Ray needed)."""

import json

import pytest
from starlette.requests import Request

from tuneline.registry.serving import openai_api as oa
from tuneline.registry.serving.router import _json


def request_with(body: bytes) -> Request:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({"type": "http", "method": "POST", "path": "/m/v1/chat/completions", "headers": []}, receive)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\xfa", "not UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    ],
)
async def test_a_hostile_body_is_a_400_that_says_why(body: bytes, says: str) -> None:
    with pytest.raises(oa.RequestError) as caught:
        await _json(request_with(body))
    assert caught.value.status == 400
    assert says in json.dumps(caught.value.body())


async def test_a_valid_body_is_parsed() -> None:
    assert await _json(request_with(b'{"model": "m", "input": "x"}')) == {"model": "m", "input": "x"}
