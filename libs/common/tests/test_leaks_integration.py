"""The leak scan the end-to-end tiers run over a stack's logs and dead letters finds what it must, names no value."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest

from tuneline.common.testing.leaks import find_leaks

pytestmark = pytest.mark.integration

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0b3IifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
KEY = "tlk_ab12CD34_" + "s" * 43


def _write(root: Path, name: str, lines: list[str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_log_lines_with_planted_values_secrets_tokens_or_keys_are_named_by_file_and_line(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "data.log",
        [
            json.dumps({"event": "upload accepted", "dataset": "d-1"}),
            json.dumps({"event": "record", "text": "call anna@plant.example"}),
            json.dumps({"event": "auth", "header": f"Bearer {TOKEN}"}),
        ],
    )
    worker_lines = ["key tlk_ab12CD34 revoked", f"presented {KEY}", "secret s3cr3t-value"]
    _write(tmp_path / "workers", "registry.log", worker_lines)
    leaks = find_leaks(tmp_path, None, planted=["anna@plant.example"], secrets=["s3cr3t-value"])
    found = sorted(str(leak) for leak in leaks)
    assert found == [
        "data.log:2: planted personal data",
        "data.log:3: a signed token",
        "workers/registry.log:2: a whole API key",
        "workers/registry.log:3: a secret",
    ]
    assert not any("anna" in f or "s3cr3t" in f for f in found)  # the report names places, never values


def test_a_clean_stack_has_no_findings(tmp_path: Path) -> None:
    _write(tmp_path, "intake.log", [json.dumps({"event": "usecase.approved", "key_prefix": "tlk_ab12CD34"})])
    assert find_leaks(tmp_path, None, planted=["anna@plant.example"]) == []


def test_dead_letters_of_every_service_schema_are_scanned(fresh_database_url: str, tmp_path: Path) -> None:
    async def seed() -> None:
        conn = await asyncpg.connect(fresh_database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            for schema, payload in (("alpha", b'{"text": "clean"}'), ("beta", b'{"text": "ring +1 415 555 0134"}')):
                await conn.execute(f'CREATE SCHEMA "{schema}"')
                await conn.execute(
                    f'CREATE TABLE "{schema}".dead_letters (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), '
                    "reason text NOT NULL, payload bytea NOT NULL, headers jsonb NOT NULL DEFAULT '{}')"
                )
                insert = f'INSERT INTO "{schema}".dead_letters (reason, payload) VALUES ($1, $2)'  # noqa: S608
                await conn.execute(insert, "handler failed", payload)
        finally:
            await conn.close()

    asyncio.run(seed())
    leaks = find_leaks(tmp_path / "none", fresh_database_url, planted=["+1 415 555 0134"])
    assert [leak.kind for leak in leaks] == ["planted personal data"]
    assert leaks[0].where.startswith("dead letter beta.")
