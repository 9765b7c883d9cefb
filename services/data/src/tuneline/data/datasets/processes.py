"""CPU-heavy work of an upload (parsing, PII scanning, validation, splitting) runs in a process pool.

In a thread it would hold the GIL: a large or hostile file made `/healthz` wait for seconds. The pool's size
comes from `TUNELINE_PROCESSING_WORKERS`; each process loads its own engines (PII scanner, tokenizers) once,
lazily. A process that dies (out of memory, a crash in a native parser) breaks the pool: the upload it was
processing fails with a reason and the next upload gets a fresh pool. With 0 workers the work runs in a thread
of the service process (tests, debugging).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

from tuneline.data.datasets.engines import Engines
from tuneline.data.settings import DataSettings

T = TypeVar("T")

#: This pool process's engines (each process of the pool holds its own; the service process never sets it).
_engines: Engines | None = None


class ProcessingCrashed(RuntimeError):
    """The process working on an upload died before answering."""


def _start(settings: DataSettings) -> None:
    global _engines
    _engines = Engines(settings)


def _ready() -> bool:
    return _engines is not None


def _call(fn: Callable[..., T], *args: object) -> T:
    assert _engines is not None, "pool process started without its engines"
    return fn(_engines, *args)


class ProcessingPool:
    """Runs ``fn(engines, *args)`` (a module-level function with picklable arguments) off the event loop."""

    def __init__(self, settings: DataSettings, local_engines: Engines) -> None:
        self._settings = settings
        self._local = local_engines
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Start the pool's processes now (blocking: call it in a thread), not on the first upload."""
        if self._settings.processing_workers > 0:
            self._executor().submit(_ready).result()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            return self._pool or self._create()

    def _create(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._settings.processing_workers,
                # spawn, not fork: the service process runs threads and an event loop that must not be copied.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self._settings,),
            )
        return self._pool

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        if self._settings.processing_workers == 0:
            return await asyncio.to_thread(fn, self._local, *args)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), partial(_call, fn, *args))
        except BrokenProcessPool:
            self.close()
            raise ProcessingCrashed("the processing worker died while reading this file (out of memory?)") from None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
