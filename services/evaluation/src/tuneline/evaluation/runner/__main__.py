"""`python -m tuneline.evaluation.runner`: a runner process that claims and runs evaluations until stopped."""

from __future__ import annotations

import asyncio

from tuneline.common.db import SessionFactory
from tuneline.common.settings import load_settings
from tuneline.common.storage import open_store
from tuneline.common.worker import run_worker
from tuneline.evaluation.app import MIGRATIONS
from tuneline.evaluation.runner.loop import EvaluationRunner
from tuneline.evaluation.settings import EvaluationSettings


async def main() -> None:
    settings = load_settings(EvaluationSettings)

    async def body(sessions: SessionFactory, stop: asyncio.Event) -> None:
        await EvaluationRunner(settings, sessions, open_store(settings)).run(stop)

    await run_worker(settings, role="runner", migrations=MIGRATIONS, body=body)


if __name__ == "__main__":
    asyncio.run(main())
