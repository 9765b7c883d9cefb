"""What a client gets for a value the database cannot hold, and what the OpenAPI document says a 422 looks like."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from tuneline.common.app import document_error_bodies, install_error_handlers, unstorable_reason


class _DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _db_error(message: str, sqlstate: str | None) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError("INSERT INTO t (n) VALUES ($1)", {"n": 1}, _DriverError(message, sqlstate))


@pytest.mark.parametrize(
    ("message", "sqlstate", "expected"),
    [
        ("integer out of range", "22003", "is out of range"),
        ('invalid byte sequence for encoding "UTF8": 0x00', "22021", "NUL"),
        ("invalid input for query argument $8: 23892431584 (value out of int32 range)", None, "is out of range"),
        ("duplicate key value violates unique constraint", "23505", None),
        ("connection refused", None, None),
    ],
)
def test_only_data_exceptions_are_the_senders_fault(message: str, sqlstate: str | None, expected: str | None) -> None:
    reason = unstorable_reason(_db_error(message, sqlstate))
    assert reason is None if expected is None else expected in (reason or "")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    document_error_bodies(app)

    @app.post("/numbers")
    async def store(n: int) -> dict[str, int]:
        raise _db_error("invalid input for query argument $1: 99999999999 (value out of int32 range)", None)

    @app.post("/broken")
    async def broken() -> None:
        raise _db_error("connection was closed in the middle of operation", "08003")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


async def test_a_value_past_its_column_is_a_422_without_the_statement(client: httpx.AsyncClient) -> None:
    answer = await client.post("/numbers", params={"n": 99999999999})
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid_input" and "out of range" in body["detail"]
    assert "INSERT" not in answer.text and "99999999999" not in answer.text


async def test_other_database_errors_stay_server_errors(client: httpx.AsyncClient) -> None:
    assert (await client.post("/broken")).status_code == 500


async def test_the_openapi_document_describes_the_422_body_clients_get(client: httpx.AsyncClient) -> None:
    answer = await client.post("/numbers", params={"n": "many"})
    assert answer.status_code == 422
    body = answer.json()
    assert set(body) == {"error", "detail", "errors"} and body["errors"][0]["field"] == "n"
    schema = client.app.openapi()  # type: ignore[attr-defined]
    documented = schema["components"]["schemas"]["HTTPValidationError"]
    assert set(documented["required"]) == {"error", "detail"}
    assert documented["properties"]["detail"]["type"] == "string"
    item = documented["properties"]["errors"]["anyOf"][0]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][item]["properties"]) == {"field", "message", "type"}
    assert "ValidationError" not in schema["components"]["schemas"]
