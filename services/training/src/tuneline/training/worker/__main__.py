"""`python -m tuneline.training.worker`: a worker process that claims and runs training jobs until stopped."""

from __future__ import annotations

import asyncio

from tuneline.common.db import SessionFactory
from tuneline.common.settings import load_settings
from tuneline.common.worker import run_worker
from tuneline.training.app import MIGRATIONS
from tuneline.training.settings import TrainingSettings
from tuneline.training.worker.loop import Worker
from tuneline.training.worker.runners import choose_runner


async def main() -> None:
    settings = load_settings(TrainingSettings)

    async def body(sessions: SessionFactory, stop: asyncio.Event) -> None:
        await Worker(settings, sessions, choose_runner(settings)).run(stop)

    await run_worker(settings, role="worker", migrations=MIGRATIONS, body=body)


if __name__ == "__main__":
    asyncio.run(main())
