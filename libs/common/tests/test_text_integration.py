"""Any ORM write strips text PostgreSQL refuses (NUL, lone surrogates) instead of failing, and counts it."""

import uuid

import pytest
import sqlalchemy as sa

from tuneline.common.db import AuditRecord, create_engine, session_factory, transaction
from tuneline.common.text import TEXT_SANITISED

pytestmark = pytest.mark.integration


async def test_a_row_with_nul_in_text_and_json_is_stored_stripped_and_counted(database_url) -> None:
    schema = f"text_{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url, schema, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            await conn.run_sync(lambda sync: AuditRecord.__table__.create(sync))
        nul = TEXT_SANITISED.labels("audit_log.action", "nul")
        details = TEXT_SANITISED.labels("audit_log.details", "nul")
        before = (nul._value.get(), details._value.get())
        record = AuditRecord(
            actor="alice",
            action="usecase.sub\x00mitted",
            resource_type="usecase",
            resource_id="u1",
            details={"title\x00": ["Summarise\x00 logs"]},
        )
        async with transaction(session_factory(engine)) as session:
            session.add(record)
        async with session_factory(engine)() as session:
            stored = (await session.execute(sa.select(AuditRecord))).scalars().one()
        assert stored.action == "usecase.submitted" and stored.details == {"title": ["Summarise logs"]}
        assert (nul._value.get() - before[0], details._value.get() - before[1]) == (1, 2)
    finally:
        async with engine.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()
