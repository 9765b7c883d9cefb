"""A Kafka-protocol broker a test may restart: the same port, a new (empty, memory-only) generation each start."""

from __future__ import annotations

from pathlib import Path

from tuneline.common.infra import Broker, free_port, start_tansu


class RestartableBroker:
    def __init__(self, log_dir: Path, *, start: bool = True) -> None:
        self.port = free_port()
        self.log_dir = log_dir
        self.generation = 0
        self.current: Broker | None = self._start() if start else None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _start(self) -> Broker:
        self.generation += 1
        return start_tansu(self.port, self.log_dir / f"tansu-{self.generation}.log")

    def start(self) -> None:
        if self.current is None:
            self.current = self._start()

    def restart(self) -> None:
        self.stop()
        self.current = self._start()

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.current = None
