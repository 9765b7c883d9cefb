"""dataset.ready → reference profile; logged prompts → drift report, drift.detected, one "Input drift" alert (raised
once, updated while drift lasts, acknowledged by a person) and one retrain.requested."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord
from tuneline.common.events import (
    DATASET_READY,
    DEPLOYMENT_UPDATED,
    INFERENCE_LOGGED,
    DatasetReady,
    DeploymentUpdated,
    InferenceLogged,
    TokenStats,
)
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.monitoring.alerts.tables import AlertRow
from tuneline.monitoring.app import create_app
from tuneline.monitoring.drift.tables import DatasetReferenceRow
from tuneline.monitoring.orchestration import drift_once
from tuneline.monitoring.retraining.tables import RetrainActionRow
from tuneline.monitoring.settings import MonitoringSettings

pytestmark = pytest.mark.integration

MACHINE_WORDS = "spindle motor overheated bearing vibration coolant pressure drop sensor fault axis".split()  # noqa: SIM905
BILLING_WORDS = "invoice refund payment card charged twice account subscription cancel price".split()  # noqa: SIM905


def sentences(rng: random.Random, words: list[str], n: int) -> list[str]:
    return [" ".join(rng.choice(words) for _ in range(rng.randint(6, 14))) for _ in range(n)]


async def outbox(state, topic: str) -> list[dict]:
    async with state.sessions() as session:
        rows = (await session.execute(sa.select(OutboxRecord).where(OutboxRecord.topic == topic))).scalars()
        return [json.loads(r.payload) for r in rows]


async def test_shifted_prompts_produce_a_drift_report_an_alert_and_a_single_rate_limited_retrain_request(
    make_settings,
) -> None:
    settings = make_settings(MonitoringSettings, run_background_loops=False, ingest_batch_timeout_ms=20)
    app = create_app(settings)
    rng = random.Random(3)
    usecase, dataset, version_id, stable = uuid4(), uuid4(), uuid4(), uuid4()
    model = f"drift-{uuid4().hex[:8]}"
    now = datetime.now(UTC)
    async with running_app(app) as client:
        state = app.state.tuneline
        records = [{"text": t, "label": "machine"} for t in sentences(rng, MACHINE_WORDS, 300)]
        info = await state.store.put(
            f"datasets/{dataset}/versions/1/train.jsonl",
            "\n".join(json.dumps(r) for r in records).encode(),
            content_type="application/jsonl",
        )
        await publish_now(
            state.broker,
            DATASET_READY,
            DatasetReady(
                producer="data",
                usecase_id=usecase,
                dataset_id=dataset,
                version_id=version_id,
                version_number=1,
                content_hash="h",
                record_format="text",
                split_uris={"train": info.uri},
                record_counts={"train": 300},
                token_stats=TokenStats(total=3000, mean=10, p95=14, max=14, tokenizer="words"),
                fields=["text"],
                quality_score=90,
                occurred_at=now - timedelta(hours=2),
            ),
        )
        await publish_now(
            state.broker,
            DEPLOYMENT_UPDATED,
            DeploymentUpdated(
                producer="registry",
                usecase_id=usecase,
                model_id=uuid4(),
                deployment_id=uuid4(),
                name=model,
                stable_version_id=stable,
                canary_weight=0.0,
                status="healthy",
                occurred_at=now - timedelta(hours=1),
                team=TEST_TEAM,
            ),
        )
        for prompt in sentences(rng, BILLING_WORDS, 80):
            await publish_now(
                state.broker,
                INFERENCE_LOGGED,
                InferenceLogged(
                    producer="registry",
                    request_id=str(uuid4()),
                    model_name=model,
                    version_id=stable,
                    latency_ms=50,
                    tokens_in=12,
                    tokens_out=3,
                    prompt=prompt,
                    prompt_chars=len(prompt),
                ),
            )

        async def ready() -> bool:
            async with state.sessions() as session:
                reference = await session.get(DatasetReferenceRow, version_id)
                stored = await session.scalar(
                    sa.text("SELECT count(*) FROM monitoring_inference_events WHERE model_name = :m"), {"m": model}
                )
                # deployment.updated (which model serves the use case) travels on another topic: no ordering
                served = await session.scalar(
                    sa.text("SELECT count(*) FROM monitoring_models WHERE model_name = :m"), {"m": model}
                )
                return reference is not None and stored == 80 and served == 1

        await eventually(ready, timeout_s=40, what="reference built, model known and prompts stored")
        reports = [r for r in await drift_once(state) if r.model == model]
        assert len(reports) == 1 and reports[0].drifted
        assert {"token_distribution", "embedding_distribution"} <= {n.value for n in reports[0].drifted_checks}

        detected = [e for e in await outbox(state, "drift.detected") if e["model_name"] == model]
        assert {e["detector"] for e in detected} >= {"vocabulary_psi", "embedding_mmd"}
        assert {e["team"] for e in detected} == {TEST_TEAM}
        vocabulary = next(e for e in detected if e["detector"] == "vocabulary_psi")
        assert vocabulary["statistic"] >= vocabulary["threshold"] and vocabulary["window_size"] > 0
        assert vocabulary["reference_size"] > 0 and vocabulary["p_value"] < 0.01

        retrains = [e for e in await outbox(state, "retrain.requested") if e["model_name"] == model]
        assert len(retrains) == 1
        # the only dataset version already trained the serving model: the data owner is asked for new data
        assert retrains[0]["needs_new_data"] is True and retrains[0]["usecase_id"] == str(usecase)

        raised = [e for e in await outbox(state, "alert.raised") if e["model_name"] == model]
        assert len(raised) == 1 and raised[0]["rule"] == "drift" and raised[0]["action"] == "none"
        assert raised[0]["version_id"] == str(stable) and raised[0]["arm"] == "stable"

        await drift_once(state)  # drift persists: the cooldown keeps it from asking again
        async with state.sessions() as session:
            actions = (
                (await session.execute(sa.select(RetrainActionRow).where(RetrainActionRow.usecase_id == usecase)))
                .scalars()
                .all()
            )
        assert len(actions) == 1
        assert len([e for e in await outbox(state, "retrain.requested") if e["model_name"] == model]) == 1
        # one alert while drift lasts: seen again, not raised again
        assert len([e for e in await outbox(state, "alert.raised") if e["model_name"] == model]) == 1
        async with state.sessions() as session:
            alerts = (await session.execute(sa.select(AlertRow).where(AlertRow.model_name == model))).scalars().all()
        assert [(a.source, a.state, a.occurrences) for a in alerts] == [("drift", "firing", 2)]
        assert "token_distribution" in alerts[0].message
        sre = bearer(settings, "sre")
        acknowledged = await client.post(f"/alerts/{alerts[0].id}/acknowledge", headers=sre)
        assert acknowledged.status_code == 200, acknowledged.text
        assert acknowledged.json()["state"] == "acknowledged"

        listed = (await client.get(f"/drift/reports?model={model}", headers=bearer(settings, "viewer"))).json()
        assert len(listed) == 2 and all(r["drifted"] for r in listed)
        check = next(c for c in listed[0]["checks"] if c["name"] == "token_distribution")
        assert {"statistic", "threshold", "p_value", "n_reference", "n_live"} <= set(check)

        advice = (await client.get(f"/recommendations/models/{model}", headers=bearer(settings, "viewer"))).json()
        assert [a["action"] for a in advice] == ["add_training_data"]
