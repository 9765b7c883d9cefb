"""The worker entry points run as real processes: they migrate, start, wait for work and stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("module", "service"), [("tuneline.training.worker", "training"), ("tuneline.evaluation.runner", "evaluation")]
)
def test_worker_process_starts_and_stops_cleanly_on_sigterm(
    module: str, service: str, database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    log = tmp_path / f"{service}.log"
    env = {
        **os.environ,
        "TUNELINE_ENVIRONMENT": "test",
        "TUNELINE_SERVICE_NAME": service,
        "TUNELINE_DATABASE_URL": database_url,
        "TUNELINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "TUNELINE_OBJECT_STORE_URL": (tmp_path / "objects").as_uri(),
        "TUNELINE_LOG_FILE": str(log),
        "HF_HUB_OFFLINE": "1",
    }
    with (tmp_path / "stderr.txt").open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", module], env=env, stdout=err, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (log.exists() and log.stat().st_size > 0):
                assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()[-3000:]
                time.sleep(0.2)
            time.sleep(1.0)
            assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()[-3000:]
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, (tmp_path / "stderr.txt").read_text()[-3000:]
        finally:
            if proc.poll() is None:
                proc.kill()
    assert f'"service": "{service}-' in log.read_text()
