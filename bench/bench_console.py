"""Console first load: time from opening the web console to the dashboard rendered with its data, and the bytes
it transfers, in Debian's Chromium.

    .venv/bin/python bench/bench_console.py                       # embedded stack, 5 cold loads
    .venv/bin/python bench/bench_console.py --runs 10 --usecases 50
    .venv/bin/python bench/bench_console.py --url http://127.0.0.1:8100   # a running `tuneline up` (loopback)

Without --url it starts the services the dashboard asks (intake, training, monitoring) and the console's static
server as `tuneline up` does, on free ports, with a scratch database on the local PostgreSQL (else an embedded one)
and a Tansu broker, seeds --usecases use cases through intake's API, and stops everything at the end. The browser
half is bench/console_first_load.mjs (playwright-core from console/node_modules drives /usr/bin/chromium): each run
is a fresh browser context (empty cache) that opens the console, signs in with the development issuer and waits
until no dashboard panel is still loading; bytes are what the DevTools protocol reports on the wire per response.
One warm visit follows the first run (same context: cached files; the token lives in memory, so it signs in again).

Side by side: the console's files the first load fetched against the whole build (code splitting: the other
screens' chunks wait until visited), and as sent (`tuneline up`'s server does not compress) against gzipped (what
the nginx image, deploy/docker/Dockerfile.console, sends).

Targets (printed, not asserted): dashboard loaded ≤ 3 s after opening the console; the first load's console files
≤ 150 KB gzipped.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tuneline.cli import stack as stack_mod
from tuneline.common.auth import mint_token
from tuneline.common.infra import free_port, free_port_block, scratch_database, start_tansu

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "console" / "dist"
DRIVER = Path(__file__).resolve().parent / "console_first_load.mjs"
#: What the dashboard asks (features/dashboard/api/queries.ts): the portfolio, running jobs, served models, alerts.
SERVICES = ("intake", "training", "monitoring")
#: The sign-in screen's default team (SignInPage.tsx): the bench's viewer sees the use cases seeded for it.
TEAM = "plant-ops"
TARGET_LOADED_MS = 3000
TARGET_FIRST_LOAD_GZ_KB = 150
FAST_ENV = {
    "TUNELINE_ENVIRONMENT": "test",
    "TUNELINE_KAFKA_SESSION_TIMEOUT_MS": "2000",
    "TUNELINE_KAFKA_FETCH_MAX_WAIT_MS": "10",
    "TUNELINE_LOG_LEVEL": "WARNING",
}


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def dist_file(url_path: str) -> Path | None:
    """The built file behind a console URL path (None for /config.json, which the server writes)."""
    if url_path == "/config.json":
        return None
    candidate = DIST / url_path.lstrip("/")
    return candidate if candidate.is_file() else DIST / "index.html"


def build_size() -> tuple[int, int, int]:
    """(files, raw bytes, gzipped bytes) of the whole build, counted as console/scripts/bundle-size.mjs does."""
    files = [p for p in DIST.rglob("*") if p.is_file() and p.suffix in {".js", ".css", ".html"}]
    return len(files), sum(p.stat().st_size for p in files), sum(gzipped(p) for p in files)


def drive(url: str, runs: int, chromium: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("Node.js is needed (the browser is driven by console/node_modules/playwright-core)")
    done = subprocess.run(
        [node, str(DRIVER), "--url", url, "--runs", str(runs), "--chromium", chromium],
        capture_output=True,
        text=True,
        timeout=120 + 60 * runs,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the browser run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(result: dict[str, Any], runs: int, chromium: str) -> None:
    cold = result["runs"]

    def line(label: str, key: str) -> None:
        values = [r[key] for r in cold]
        print(f"{label}: p50 {statistics.median(values):.0f} ms, max {max(values):.0f} ms ({len(values)} cold loads)")

    version = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"machine: {os.cpu_count()} cores; {platform.python_implementation()} {platform.python_version()}; {version}")
    line("sign-in screen (open → rendered)", "signInShown")
    line("dashboard heading (sign in → rendered)", "dashboardShown")
    line("dashboard loaded (sign in → every panel answered)", "dashboardLoaded")
    totals = [r["total"] for r in cold]
    p50 = statistics.median(totals)
    verdict = "meets" if p50 <= TARGET_LOADED_MS else "misses"
    print(
        f"time to first dashboard render (open → loaded, sign-in automated): p50 {p50:.0f} ms, max {max(totals):.0f} ms"
    )
    print(f"target dashboard loaded ≤ {TARGET_LOADED_MS} ms: {verdict} (p50 {p50:.0f} ms)")

    first = cold[0]["bytes"]
    fetched = sorted({p for p in first["consoleFiles"]})
    paths = [dist_file(p) for p in fetched]
    files = sorted({p for p in paths if p is not None})
    first_raw, first_gz = sum(p.stat().st_size for p in files), sum(gzipped(p) for p in files)
    n, build_raw, build_gz = build_size()
    print(f"console files on the wire, cold: {kb(first['console'])} in {len(fetched)} requests (headers included)")
    print(f"the same files: {kb(first_raw)} raw, {kb(first_gz)} gzipped (the nginx image compresses)")
    print(f"whole build: {kb(build_raw)} raw, {kb(build_gz)} gzipped in {n} files")
    print(
        f"first load fetches of the build: {100 * first_gz / build_gz:.0f}% (gzipped bytes; other screens load later)"
    )
    verdict = "meets" if first_gz / 1024 <= TARGET_FIRST_LOAD_GZ_KB else "misses"
    print(f"target first load ≤ {TARGET_FIRST_LOAD_GZ_KB} KB gzipped: {verdict} ({kb(first_gz)})")
    print(f"API answers on the wire, cold: {kb(first['api'])} ({first['requests']} requests in all)")
    warm = result.get("warm")
    if warm:
        print(
            f"warm visit (cached files, signs in again): {warm['total']:.0f} ms to loaded, "
            f"console files on the wire {kb(warm['bytes']['console'])}"
        )


async def with_stack(args: argparse.Namespace) -> None:
    if not (DIST / "index.html").is_file():
        raise SystemExit("console/dist has no build: `npm run build` in console/ (make setup does it)")
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        work = Path(tmp)
        broker = start_tansu(free_port(), work / "tansu.log")
        try:
            async with scratch_database(args.postgres_url, work, "bench_console") as url:
                config = stack_mod.StackConfig(
                    data_dir=work / "stack",
                    base_port=free_port_block(len(stack_mod.SERVICES)),
                    serving_port=free_port_block(1),
                    database_url=url,
                    kafka_bootstrap=broker.bootstrap_servers,
                    services=SERVICES,
                    workers=False,
                    ready_timeout_s=180,
                    extra_env=FAST_ENV,
                    console_port=free_port_block(1),
                    console_dir=DIST,
                )
                started = time.monotonic()
                stack = await asyncio.to_thread(stack_mod.start, config, lambda _: None)
                print(f"stack start (not counted): {time.monotonic() - started:.1f} s")
                try:
                    intake = next(p.url for p in stack.processes if p.name == "intake")
                    console = next(p.url for p in stack.processes if p.name == "console")
                    await seed(str(intake), stack, args.usecases)
                    result = await asyncio.to_thread(drive, str(console), args.runs, args.chromium)
                finally:
                    await asyncio.to_thread(stack_mod.stop, stack, lambda _: None)
        finally:
            broker.stop()
    report(result, args.runs, args.chromium)


async def seed(intake_url: str, stack: stack_mod.Stack, count: int) -> None:
    """Draft use cases for the portfolio panel, through intake's API as a person would write them."""
    token = mint_token(stack.token_settings(), "bench.owner@plant.example", ["data_owner"], team=TEAM)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=intake_url, headers=headers, timeout=30) as client:
        for i in range(count):
            answer = await client.post("/usecases", json={"title": f"Bench use case {i:03d}"})
            answer.raise_for_status()
    print(f"seeded use cases: {count}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running console (its services must accept the development sign-in)")
    parser.add_argument("--runs", type=int, default=5, help="cold loads (each in a fresh browser context)")
    parser.add_argument("--usecases", type=int, default=20, help="use cases seeded for the portfolio panel")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    parser.add_argument("--postgres-url", help="admin URL of a PostgreSQL server for the scratch database")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        raise SystemExit(f"no Chromium at {args.chromium} (apt-get install -y chromium, or --chromium)")
    if args.url:
        report(drive(args.url, args.runs, args.chromium), args.runs, args.chromium)
    else:
        asyncio.run(with_stack(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
