"""Every query intake makes on its costing table."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.intake.costing.tables import MeasuredThroughputRow


async def measured(session: AsyncSession, profile: str, *, for_update: bool = False) -> MeasuredThroughputRow | None:
    return await session.get(MeasuredThroughputRow, profile, with_for_update=for_update)


def add(session: AsyncSession, row: MeasuredThroughputRow) -> None:
    session.add(row)
