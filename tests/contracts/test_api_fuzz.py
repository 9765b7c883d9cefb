"""Requests generated from every service's OpenAPI schema (schemathesis): no answer >= 500, none off its schema.

Each service's app runs for the module against the run's PostgreSQL and Kafka with alpha's objects seeded
(`seeded_services.py`, as the authorisation matrix has them), and an admin of team alpha calls it. For every
operation schemathesis generates requests that fit the schema (path parameters pinned to the seeded objects, so
the calls reach them) and requests that do not (bad types, missing fields, wrong formats, unknown ids). Each answer is
checked: not a server error, and where its status is documented, its body and content type as the schema says.

Slow tier: a few thousand requests in all.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tuneline.common.auth import Role
from tuneline.common.testing.helpers import load_neighbour

pytestmark = [pytest.mark.slow, pytest.mark.integration]

seeded = load_neighbour(__file__, "seeded_services.py")

#: Generated requests per operation and mode: enough to cross each schema's types and formats once or twice, few
#: enough that the six services take minutes, not hours.
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
#: The registry's gateway calls intake, data and training: here they answer 503 (see seeded_services), which the
#: gateway passes on as "upstream unavailable". Those answers are the fixture's, not a fault of the route.
UPSTREAM_DOWN = {"registry": 503}
REQUEST_TIMEOUT_S = 30
HTTPX_KEYS = {"method", "url", "headers", "params", "cookies", "json", "data", "files"}


@pytest.fixture(scope="module")
async def services(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Any]:
    async with seeded.seeded_services(database_url, kafka_bootstrap, tmp_path_factory.mktemp("fuzz-objects")) as s:
        yield s


def _cases(operation: Any, mode: GenerationMode, pinned: dict[str, str]) -> list[Any]:
    """`EXAMPLES[mode]` requests for `operation` (hypothesis draws them; nothing is sent here)."""
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned or None)
    drawn: list[Any] = []

    @settings(
        max_examples=EXAMPLES[mode],
        phases=[Phase.explicit, Phase.generate],
        database=None,
        deadline=None,
        derandomize=True,  # the same requests every run: a failure is reproducible by running the test again
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(case: Any) -> None:
        drawn.append(case)

    # Unsatisfiable: nothing of this operation can be made invalid (no parameters, no body).
    with contextlib.suppress(Unsatisfiable):
        draw()
    return drawn


def _request_kwargs(case: Any, headers: dict[str, str]) -> dict[str, Any]:
    kwargs = {k: v for k, v in case.as_transport_kwargs(base_url="http://test", headers=headers).items() if v}
    kwargs = {k: v for k, v in kwargs.items() if k in HTTPX_KEYS}
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")
    return kwargs


def _path_parameters(operation: Any) -> list[str]:
    return [p.name for p in operation.path_parameters]


@pytest.mark.parametrize("service", sorted(seeded.BUILDERS))
async def test_generated_requests_get_no_server_error_and_answers_that_fit_the_schema(
    services: Any, service: str
) -> None:
    svc = await services.get(service)
    schema = schemathesis.openapi.from_dict(svc.app.openapi())
    headers = svc.token(Role.ADMIN, seeded.TEAM, seeded.OWNER)
    upstream_down = UPSTREAM_DOWN.get(service)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletes last, so the operations before them meet the seeded objects.
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    failures: dict[str, str] = {}
    sent = 0
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        pinned = {name: svc.ids[name] for name in _path_parameters(operation) if name in svc.ids}
        for mode in EXAMPLES:
            for case in _cases(operation, mode, pinned if mode is GenerationMode.POSITIVE else {}):
                try:
                    request = svc.client.build_request(**_request_kwargs(case, headers))
                    request.read()  # a multipart body is a stream; the checks read what was sent
                except (httpx.InvalidURL, UnicodeEncodeError, ValueError, TypeError, AttributeError):
                    continue  # a request httpx itself refuses to build (a header it cannot encode): not our API's
                try:
                    response = await asyncio.wait_for(svc.client.send(request), REQUEST_TIMEOUT_S)
                except TimeoutError:
                    failures.setdefault(f"{label} timeout", f"no answer in {REQUEST_TIMEOUT_S} s: {request}")
                    continue
                except Exception as exc:  # the app raised: the client would have got a 500
                    key = f"{label} {mode.value} raised {type(exc).__name__}"
                    failures.setdefault(key, f"{request.method} {request.url}\n{str(exc)[:800]}")
                    continue
                sent += 1
                if upstream_down is not None and response.status_code == upstream_down:
                    continue
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (AssertionError, FailureGroup) as failure:
                    key = f"{label} {mode.value} {response.status_code}"
                    failures.setdefault(key, str(failure)[:1500])
    assert sent > 0, f"{service}: no request was sent"
    report = "\n\n".join(f"== {key}\n{text}" for key, text in sorted(failures.items())[:15])
    assert not failures, f"{service}: {len(failures)} operation(s) answered wrongly ({sent} requests):\n{report}"
