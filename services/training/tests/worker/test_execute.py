"""The executor's inputs: which objects become the recipe's train and validation files (a local object store)."""

import json
from dataclasses import asdict
from pathlib import Path

from tuneline.common.storage import LocalObjectStore
from tuneline.training.worker.execute import ExecutionSpec, _fetch_inputs


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def _put(store: LocalObjectStore, key: str, rows: list[dict], *, final_newline: bool = True) -> str:
    text = "\n".join(json.dumps(r) for r in rows) + ("\n" if final_newline else "")
    await store.put(key, text.encode())
    return store.uri(key)


def _spec(store: LocalObjectStore, tmp_path: Path, split_uris: dict[str, str], **extra) -> ExecutionSpec:  # type: ignore[no-untyped-def]
    return ExecutionSpec(
        job_id="job-1",
        recipe={},
        split_uris=split_uris,
        output_prefix="jobs/job-1",
        workdir=str(tmp_path / "work"),
        store={"url": store.base_uri},
        **extra,
    )


async def test_every_validation_uri_is_concatenated_in_order_instead_of_the_validation_split(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    train = await _put(store, "d/1/train.jsonl", [{"prompt": "t", "completion": "x"}])
    own_validation = await _put(store, "d/1/validation.jsonl", [{"prompt": "own", "completion": "x"}])
    parts = [
        # a part without a final newline must not glue its last record to the next part's first
        await _put(store, "d/2/train.jsonl", [{"prompt": "v1", "completion": "a"}], final_newline=False),
        await _put(store, "d/2/validation.jsonl", [{"prompt": "v2", "completion": "b"}]),
        await _put(store, "d/2/test.jsonl", [{"prompt": "v3", "completion": "c"}, {"prompt": "v4", "completion": "d"}]),
    ]
    spec = _spec(store, tmp_path, {"train": train, "validation": own_validation}, validation_uris=parts)

    paths = await _fetch_inputs(store, spec, tmp_path / "work")

    assert paths["validation"] == tmp_path / "work" / "data" / "validation.jsonl"
    assert [r["prompt"] for r in _records(paths["validation"])] == ["v1", "v2", "v3", "v4"]
    assert [r["prompt"] for r in _records(paths["train"])] == ["t"]
    assert not list((tmp_path / "work" / "data").glob("*.part"))


async def test_without_validation_uris_the_training_versions_validation_split_is_used(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    train = await _put(store, "d/1/train.jsonl", [{"prompt": "t", "completion": "x"}])
    own_validation = await _put(store, "d/1/validation.jsonl", [{"prompt": "own", "completion": "x"}])

    paths = await _fetch_inputs(store, _spec(store, tmp_path, {"train": train, "validation": own_validation}), tmp_path)
    assert [r["prompt"] for r in _records(paths["validation"])] == ["own"]

    no_validation = await _fetch_inputs(store, _spec(store, tmp_path, {"train": train}), tmp_path / "other")
    assert "validation" not in no_validation


def test_a_spec_written_before_validation_uris_existed_still_parses(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    written = asdict(_spec(store, tmp_path, {"train": "file:///t.jsonl"}, validation_uris=["file:///v.jsonl"]))
    assert ExecutionSpec(**json.loads(json.dumps(written))).validation_uris == ["file:///v.jsonl"]
    del written["validation_uris"]
    assert ExecutionSpec(**json.loads(json.dumps(written))).validation_uris == []
