import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tuneline.training.worker.base_models import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tuneline.training.worker.base_models import build_tiny_encoder

    return build_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder") / "model")


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model_dir: Path):  # type: ignore[no-untyped-def]
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


@pytest.fixture
def write_jsonl(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write records as JSONL under tmp_path and return the path as a string."""

    def write(name: str, records: list[dict]) -> str:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        return str(path)

    return write


# ------------------------------------------------------------------------------------- integration helpers


def dataset_ready_event(usecase_id, dataset_id, version_id, split_uris, counts, labels=(), record_format="instruction"):  # type: ignore[no-untyped-def]
    from tuneline.common.events import DatasetReady, TokenStats

    return DatasetReady(
        producer="data",
        usecase_id=usecase_id,
        dataset_id=dataset_id,
        version_id=version_id,
        version_number=1,
        content_hash="sha256:test",
        record_format=record_format,
        split_uris=split_uris,
        record_counts=counts,
        token_stats=TokenStats(total=40 * sum(counts.values()), mean=40.0, p95=60.0, max=80, tokenizer="tiny"),
        fields=["prompt", "completion"],
        labels=list(labels),
        quality_score=90.0,
    )


@pytest.fixture
def events():  # type: ignore[no-untyped-def]
    """Builders of the events other services send to training."""
    from types import SimpleNamespace

    return SimpleNamespace(dataset_ready=dataset_ready_event)


@pytest.fixture
def seed_dataset(tiny_model_dir: Path):  # type: ignore[no-untyped-def]
    """Put a ready dataset version (splits in the object store) and its approved use case into a running app.

    Returns an async function(app, auto_train=False, n_train=24, n_val=8) -> (usecase_id, version_id).
    """
    from uuid import uuid4

    from tuneline.common.db import transaction
    from tuneline.common.events import UseCaseApproved, UseCasePolicy
    from tuneline.common.samples import maintenance_classification
    from tuneline.common.testing.helpers import TEST_TEAM
    from tuneline.training.jobs import service

    async def seed(app, auto_train: bool = False, n_train: int = 24, n_val: int = 8):  # type: ignore[no-untyped-def]
        state = app.state.tuneline
        usecase_id, dataset_id, version_id = uuid4(), uuid4(), uuid4()
        records = [
            {"prompt": r["text"], "completion": r["label"]} for r in maintenance_classification(n_train + n_val, seed=5)
        ]
        uris = {}
        for split, rows in (("train", records[:n_train]), ("validation", records[n_train:])):
            key = f"datasets/{dataset_id}/versions/1/{split}.jsonl"
            await state.store.put(key, "".join(json.dumps(r) + "\n" for r in rows).encode())
            uris[split] = state.store.uri(key)
        approved = UseCaseApproved(
            producer="intake",
            usecase_id=usecase_id,
            title="classify maintenance logs",
            industry="manufacturing",
            task_type="classification",
            base_model=str(tiny_model_dir),
            method="qlora",
            policy=UseCasePolicy(auto_train=auto_train, training_preset="quick_start"),
            approved_by="lead",
            team=TEST_TEAM,
        )
        ready = dataset_ready_event(usecase_id, dataset_id, version_id, uris, {"train": n_train, "validation": n_val})
        async with transaction(state.sessions) as session:
            await service.record_usecase(session, approved, state.settings)
            await service.record_dataset_ready(session, ready, state.settings)
        return usecase_id, version_id

    return seed
