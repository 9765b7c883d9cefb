"""What a stack wrote where an operator reads: logs and dead letters must hold no personal data, token or key.

The end-to-end and browser tiers run the real services as processes; after a stack stops, `find_leaks` reads every
log file it wrote and every dead letter any service stored, and looks for

- the personal data the tests planted (names, e-mail addresses, phone numbers, badge ids),
- the stack's signing secret and anything shaped like a signed token (``eyJ….eyJ….…``),
- anything shaped like a whole API key (``tlk_<prefix>_<secret>``; the public prefix alone is fine).

A finding names the place (file and line, or schema and dead-letter id) and the kind of leak, never the value.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import asyncpg

#: A signed token (header.payload.signature, both JSON parts base64url of "{\"…").
TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
#: A whole API key: scheme, public prefix, secret (registry/keys/secrets.py).
API_KEY = re.compile(r"tlk_[A-Za-z0-9]{4,}_[A-Za-z0-9_-]{20,}")


@dataclass(frozen=True)
class Leak:
    where: str
    kind: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}"


def _needles(planted: Iterable[str], secrets: Iterable[str]) -> list[tuple[str, str]]:
    needles = [(value, "planted personal data") for value in planted if value]
    needles += [(value, "a secret") for value in secrets if value]
    return needles


def _scan_text(text: str, where: str, needles: list[tuple[str, str]]) -> list[Leak]:
    leaks = [Leak(where, kind) for value, kind in needles if value in text]
    if TOKEN.search(text):
        leaks.append(Leak(where, "a signed token"))
    if API_KEY.search(text):
        leaks.append(Leak(where, "a whole API key"))
    return leaks


def scan_files(root: Path, planted: Iterable[str], secrets: Iterable[str], pattern: str = "*.log") -> list[Leak]:
    """Leaks in every file under `root` matching `pattern`, by file and line."""
    needles = _needles(planted, secrets)
    leaks: list[Leak] = []
    for path in sorted(root.rglob(pattern)):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                leaks += _scan_text(line, f"{path.relative_to(root)}:{number}", needles)
    return leaks


async def _connect(database_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))


def scan_dead_letters(database_url: str, planted: Iterable[str], secrets: Iterable[str]) -> list[Leak]:
    """Leaks in the reason, payload and headers of every dead letter of every service schema in the database."""
    needles = _needles(planted, secrets)

    async def rows() -> list[asyncpg.Record]:
        conn = await _connect(database_url)
        try:
            schemas = await conn.fetch(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'dead_letters'"
            )
            found: list[asyncpg.Record] = []
            for (schema,) in schemas:
                columns = "$1::text AS schema, id, reason, payload, headers::text AS headers"
                # the schema names come from the catalogue, not from input
                found += await conn.fetch(f'SELECT {columns} FROM "{schema}".dead_letters', schema)  # noqa: S608
            return found
        finally:
            await conn.close()

    leaks: list[Leak] = []
    for row in asyncio.run(rows()):
        text = "\n".join((row["reason"], bytes(row["payload"]).decode("utf-8", "replace"), row["headers"] or ""))
        leaks += _scan_text(text, f"dead letter {row['schema']}.{row['id']}", needles)
    return leaks


def find_leaks(
    log_root: Path, database_url: str | None, *, planted: Iterable[str], secrets: Iterable[str] = ()
) -> list[Leak]:
    planted, secrets = list(planted), list(secrets)
    leaks = scan_files(log_root, planted, secrets) if log_root.exists() else []
    if database_url:
        leaks += scan_dead_letters(database_url, planted, secrets)
    return leaks


def tables_holding(database_url: str, values: Iterable[str]) -> list[str]:
    """Every ``schema.table`` of the services' schemas with a row holding any of `values` (in any column: text,
    JSON, arrays, and byte columns read as text), named with how many rows; the values themselves are never shown.
    The check after an erasure: nothing of the erased data may be left in any service's tables. A row is read in its
    text form, which doubles quotes and backslashes: give values without them."""
    patterns = [f"%{_like_escape(v)}%" for v in values if v]

    async def scan() -> list[str]:
        conn = await _connect(database_url)
        try:
            tables = await conn.fetch(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
            found: list[str] = []
            for schema, table in tables:
                binary = await conn.fetch(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = $1 AND table_name = $2 AND data_type = 'bytea'",
                    schema,
                    table,
                )
                # the names come from the catalogue, not from input
                texts = ["t::text"] + [f"""encode(t."{c}", 'escape')""" for (c,) in binary]
                where = " OR ".join(f"{text} LIKE ANY($1::text[])" for text in texts)
                query = f'SELECT count(*) FROM "{schema}"."{table}" t WHERE {where}'  # noqa: S608
                count = await conn.fetchval(query, patterns)
                if count:
                    found.append(f"{schema}.{table} ({count} rows)")
            return found
        finally:
            await conn.close()

    return asyncio.run(scan()) if patterns else []


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
