"""Intake portfolio benchmark: latency of GET /usecases (ranked, filtered, paginated) and the dashboard.

The real intake app runs in-process (JWT auth, PostgreSQL, response shaping) against a scratch database seeded with
N use cases (default 10,000) carrying realistic stored assessments and progress records. Each query shape is
timed end to end through the ASGI client, sequentially, after a warm-up; the SQL statements issued per request are
counted to show the page is two queries (page + count), never one per row. Side by side, in the same run, the same
requests after dropping the ranking indexes: the ratio shows what the indexes buy.

Target (printed, not asserted): p95 ≤ 50 ms per portfolio page at 10,000 use cases.

    .venv/bin/python bench/bench_intake_portfolio.py                       # 10,000 use cases, 200 requests/shape
    .venv/bin/python bench/bench_intake_portfolio.py --usecases 100000 --requests 500

PostgreSQL: --postgres-url, else the local server at 127.0.0.1:5432 when it answers, else an embedded one. A
scratch database is created and dropped; a Tansu broker is started and stopped (nothing is left running).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import sqlalchemy as sa

from tuneline.common.events import utcnow
from tuneline.common.infra import free_port, scratch_database, start_tansu
from tuneline.common.testing.helpers import TEST_TEAM, bearer, running_app
from tuneline.intake.app import create_app
from tuneline.intake.qualification.assess import assess
from tuneline.intake.qualification.report import assessment_to_dict
from tuneline.intake.settings import IntakeSettings
from tuneline.intake.usecases.tables import UseCaseRow
from tuneline.intake.usecases.validation import validate_submission

TARGET_P95_MS = 50.0
INDUSTRIES = ["Manufacturing", "Supply Chain", "Inventory", "Retail", "Energy", "Logistics", "Finance", "Health"]
UNITS = [f"Unit {i:02d}" for i in range(12)]
STATUSES = ["draft"] * 2 + ["submitted", "in_review", "approved", "rejected", "needs_changes"] + ["in_progress"] * 2
STATUSES += ["deployed"] * 2 + ["retired"]
RANK_INDEXES = [
    "intake_usecases_rank",
    "intake_usecases_industry_rank",
    "intake_usecases_business_unit_rank",
    "intake_usecases_status_rank",
    "intake_usecases_active_recent",
]

FORM: dict[str, Any] = {
    "title": "Classify maintenance tickets",
    "industry": "Manufacturing",
    "business_unit": "Plant Operations",
    "problem_statement": "Technicians spend minutes routing each maintenance ticket to the right crew.",
    "objectives": [
        {
            "statement": "Route automatically",
            "kpis": [{"name": "triage", "target": 2, "baseline": 10, "direction": "decrease"}],
        }
    ],
    "data_sources": [{"name": "tickets", "kind": "tickets", "volume_estimate": 4000, "owner": "ops"}],
    "sensitivity": {"pii": False, "regulatory": False, "proprietary": True},
    "model_type": "text",
    "task_type": "classification",
    "candidate_base_model": "HuggingFaceTB/SmolLM2-135M-Instruct",
    "fine_tuning_method": "lora",
    "evaluation_metrics": ["accuracy", "f1"],
    "expected_outcome": "Triage time down to 2 minutes",
    "owner": "alice",
    "examples": [
        {"input": "Hydraulic press 4 leaking oil", "desired_output": "hydraulics"},
        {"input": "Conveyor B stops, motor hot", "desired_output": "electrical"},
        {"input": "Robot arm misses positions", "desired_output": "calibration"},
    ],
    "request_volume": {"requests_per_day": 2000},
    "latency": {"p95_ms": 2000},
    "time_savings": {"minutes_saved_per_task": 3, "hourly_cost_usd": 60},
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _variants(settings: IntakeSettings, count: int = 24) -> list[tuple[dict[str, Any], dict[str, Any], float, str]]:
    """Distinct complete forms with their real assessment (the stored JSON is what a list must not drag along)."""
    rng = random.Random(7)
    variants = []
    for i in range(count):
        form = copy.deepcopy(FORM)
        form["request_volume"]["requests_per_day"] = rng.choice([50, 200, 1000, 5000, 20000, 100000])
        form["data_sources"][0]["volume_estimate"] = rng.choice([60, 400, 4000, 40000])
        form["task_type"] = rng.choice(["classification", "extraction", "summarisation", "chat"])
        form["title"] = f"Use case variant {i}"
        a = assess(validate_submission(form), settings.cost_assumptions())
        variants.append((form, assessment_to_dict(a), a.rice.score, a.decision.recommended.value))
    return variants


def _progress(rng: random.Random, status: str) -> tuple[dict[str, Any], str | None]:
    if status not in ("approved", "in_progress", "deployed", "retired"):
        return {}, None
    at = [utcnow().isoformat(), str(uuid4())]
    models = {
        str(uuid4()): {"name": "m", "version": v, "stage": "production" if v == 1 else "staging", "_at": at}
        for v in range(1, rng.randint(1, 4))
    }
    stage = "deployment healthy" if status == "deployed" else "training"
    return {
        "stage": {"label": stage, "type": "deployment.updated", "_at": at},
        "models": models,
        "evaluation": {"passed": True, "metrics": {"accuracy": round(rng.random(), 3)}, "_at": at},
        "deployment": {"status": "healthy", "_at": at} if status == "deployed" else None,
    }, stage


async def seed(engine: Any, settings: IntakeSettings, n: int) -> None:
    rng = random.Random(42)
    variants = _variants(settings)
    now = utcnow()
    rows = []
    for i in range(n):
        form, assessment, score, approach = rng.choice(variants)
        status = rng.choice(STATUSES)
        draft = status == "draft" and rng.random() < 0.5  # half the drafts are still incomplete: no score
        progress, stage = _progress(rng, status)
        rows.append(
            {
                "id": uuid4(),
                "title": f"{form['title']} #{i}",
                "industry": rng.choice(INDUSTRIES),
                "business_unit": rng.choice(UNITS),
                "status": status,
                "submitter": f"user{rng.randint(1, 300)}",
                "team": TEST_TEAM,  # the reading viewer's team: the whole portfolio is in its scope
                "form": form,
                "assessment": None if draft else assessment,
                "rice_score": None if draft else score * rng.uniform(0.5, 1.5),
                "rice_overrides": {},
                "recommended_approach": None if draft else approach,
                "progress": progress,
                "stage": stage,
                "last_event_at": now - timedelta(minutes=rng.randint(0, 50_000)) if stage else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    async with engine.begin() as conn:
        for start in range(0, n, 1000):
            await conn.execute(sa.insert(UseCaseRow.__table__), rows[start : start + 1000])  # type: ignore[attr-defined]
    # Steady state, as autovacuum leaves a table: statistics and the visibility map (index-only scans) in place.
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text("VACUUM ANALYZE intake_usecases"))


SHAPES: list[tuple[str, str, dict[str, Any]]] = [
    ("portfolio, first page", "/usecases", {"limit": 50}),
    ("portfolio, industry", "/usecases", {"industry": "Energy", "limit": 50}),
    ("portfolio, unit + page 5", "/usecases", {"business_unit": "Unit 03", "limit": 50, "offset": 200}),
    ("portfolio, 2 statuses", "/usecases", {"status": ["approved", "deployed"], "limit": 50}),
    ("portfolio, deep page", "/usecases", {"limit": 50, "offset": 5000}),
    ("dashboard", "/usecases/dashboard", {"limit": 50}),
]


PLANS = [
    ("first page", "SELECT id FROM intake_usecases ORDER BY rice_score DESC NULLS LAST, id LIMIT 50"),
    ("count", "SELECT count(*) FROM intake_usecases"),
    ("deep page", "SELECT id FROM intake_usecases ORDER BY rice_score DESC NULLS LAST, id LIMIT 50 OFFSET 5000"),
]


async def measure(client: Any, headers: dict[str, str], counter: list[int], requests: int) -> dict[str, Any]:
    results = {}
    for name, path, params in SHAPES:
        for _ in range(20):
            assert (await client.get(path, params=params, headers=headers)).status_code == 200
        times = []
        counter[0] = 0
        for _ in range(requests):
            t = time.perf_counter()
            r = await client.get(path, params=params, headers=headers)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
        results[name] = {
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "p99": percentile(times, 99),
            "statements": counter[0] / requests,
            "items": len(r.json().get("items", r.json().get("active", {}).get("items", []))),
        }
    return results


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        work = Path(tmp)
        broker = start_tansu(free_port(), work / "tansu.log")
        try:
            async with scratch_database(args.postgres_url, work) as url:
                settings = IntakeSettings(
                    environment="test",
                    database_url=url,
                    kafka_bootstrap_servers=broker.bootstrap_servers,
                    kafka_session_timeout_ms=2000,
                    object_store_url=(work / "objects").as_uri(),
                    log_level="WARNING",
                )
                app = create_app(settings)
                async with running_app(app) as client:
                    state = app.state.tuneline
                    counter = [0]
                    sa.event.listen(
                        state.engine.sync_engine,
                        "before_cursor_execute",
                        lambda *a: counter.__setitem__(0, counter[0] + 1),
                    )
                    t = time.perf_counter()
                    await seed(state.engine, settings, args.usecases)
                    print(f"seeded {args.usecases:,} use cases in {time.perf_counter() - t:.1f} s")
                    headers = bearer(settings, "viewer", subject="bench")
                    indexed = await measure(client, headers, counter, args.requests)
                    async with state.engine.begin() as conn:
                        for label, sql in PLANS:
                            plan = (await conn.execute(sa.text(f"EXPLAIN ANALYZE {sql}"))).scalars().all()
                            print(f"plan, {label}:", " / ".join(line.strip() for line in plan[:2]), "|", plan[-1])
                        for index in RANK_INDEXES:
                            await conn.execute(sa.text(f"DROP INDEX {index}"))
                        await conn.execute(sa.text("ANALYZE intake_usecases"))
                    baseline = await measure(client, headers, counter, args.requests)
        finally:
            broker.stop()
    print(f"\n{args.usecases:,} use cases, {args.requests} sequential requests per shape (ms, end to end)")
    print(
        f"{'shape':26} {'p50':>7} {'p95':>7} {'p99':>7} {'SQL/req':>8} {'items':>6} | {'no-index p95':>12} {'ratio':>6}"
    )
    for name, _, _ in SHAPES:
        i, b = indexed[name], baseline[name]
        print(
            f"{name:26} {i['p50']:7.1f} {i['p95']:7.1f} {i['p99']:7.1f} {i['statements']:8.1f} {i['items']:6d} |"
            f" {b['p95']:12.1f} {b['p95'] / i['p95']:5.1f}x"
        )
    worst = max(indexed[name]["p95"] for name, _, _ in SHAPES)
    verdict = "meets" if worst <= TARGET_P95_MS else "MISSES"
    print(f"\nworst p95 {worst:.1f} ms: {verdict} the {TARGET_P95_MS:.0f} ms target")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--usecases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres-url", default=None)
    asyncio.run(main(parser.parse_args()))
