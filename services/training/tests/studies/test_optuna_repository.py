"""Optuna behind `StudyStorage` (in-memory storage: the same sampler and pruner as on PostgreSQL)."""

import threading

import pytest

from tuneline.training.studies.optuna_repository import (
    PrunerSpec,
    SamplerSpec,
    StudyStorage,
    memory_storage,
    psycopg_url,
    trial_seed,
)
from tuneline.training.studies.search import Dimension

LR = Dimension("learning_rate", "float", low=1e-5, high=1e-3, log=True)
RANK = Dimension("lora_rank", "int", choices=(8, 16, 32))
MEDIAN = PrunerSpec(enabled=True, startup_trials=1, warmup_steps=0)


@pytest.fixture
async def storage():  # type: ignore[no-untyped-def]
    store = StudyStorage(memory_storage())
    yield store
    store.close()


async def sample(storage: StudyStorage, name: str, seed: int, n: int) -> list[dict]:
    await storage.create(name)
    return [(await storage.ask(name, [LR, RANK], SamplerSpec(seed=seed, startup_trials=2)))[1] for _ in range(n)]


async def test_a_seeded_study_samples_the_same_parameters_in_any_storage(storage: StudyStorage) -> None:
    first = await sample(storage, "a", seed=11, n=4)
    other = StudyStorage(memory_storage())
    try:
        again = await sample(other, "b", seed=11, n=4)
    finally:
        other.close()
    assert first == again
    assert len({p["learning_rate"] for p in first}) == 4, "each trial samples afresh"
    assert await sample(storage, "c", seed=12, n=4) != first
    assert all(1e-5 <= p["learning_rate"] <= 1e-3 and p["lora_rank"] in (8, 16, 32) for p in first)
    assert all(isinstance(p["lora_rank"], int) for p in first)


def test_trial_seeds_of_neighbouring_study_seeds_do_not_overlap() -> None:
    assert {trial_seed(1, i) for i in range(100)}.isdisjoint({trial_seed(2, i) for i in range(100)})


async def test_a_trial_worse_than_the_median_of_completed_trials_is_pruned(storage: StudyStorage) -> None:
    await storage.create("s")
    good, _ = await storage.ask("s", [LR], SamplerSpec(1, 2))
    assert [await storage.report("s", good, step, loss, MEDIAN) for step, loss in ((3, 2.0), (6, 1.5))] == [
        False,
        False,
    ], "nothing to compare with before a trial completes"
    await storage.tell("s", good, "complete", 1.5)
    better, _ = await storage.ask("s", [LR], SamplerSpec(1, 2))
    assert not await storage.report("s", better, 3, 1.9, MEDIAN)
    worse, _ = await storage.ask("s", [LR], SamplerSpec(1, 2))
    assert await storage.report("s", worse, 3, 2.4, MEDIAN)
    off = PrunerSpec(enabled=False, startup_trials=0, warmup_steps=0)
    assert not await storage.report("s", worse, 6, 2.3, off)
    await storage.tell("s", worse, "pruned")
    await storage.tell("s", worse, "complete", 0.1)  # a repeat is ignored: the trial stays pruned
    records = {t.number: t for t in await storage.trials("s")}
    assert records[worse].state == "pruned" and records[worse].curve == [(3, 2.4), (6, 2.3)]
    assert records[good].state == "complete" and records[good].value == 1.5
    assert records[better].state == "running" and records[better].value is None


async def test_warmup_steps_hold_pruning_off_early_in_a_trial(storage: StudyStorage) -> None:
    await storage.create("w")
    done, _ = await storage.ask("w", [LR], SamplerSpec(1, 2))
    for step, loss in ((3, 2.0), (6, 1.5)):
        await storage.report("w", done, step, loss, MEDIAN)
    await storage.tell("w", done, "complete", 1.5)
    late, _ = await storage.ask("w", [LR], SamplerSpec(1, 2))
    warm = PrunerSpec(enabled=True, startup_trials=1, warmup_steps=5)
    assert not await storage.report("w", late, 3, 9.0, warm)
    assert await storage.report("w", late, 6, 9.0, warm)


async def test_a_failed_trial_keeps_its_note_and_a_finished_one_takes_no_report(storage: StudyStorage) -> None:
    await storage.create("f")
    number, _ = await storage.ask("f", [LR], SamplerSpec(1, 2))
    await storage.tell("f", number, "failed", note="not started: over the cost cap")
    (record,) = await storage.trials("f")
    assert (record.state, record.note) == ("failed", "not started: over the cost cap")
    assert not await storage.report("f", number, 3, 1.0, MEDIAN)


async def test_optuna_runs_on_its_own_thread_never_the_event_loop(storage: StudyStorage) -> None:
    seen: list[str] = []
    storage._open = lambda: seen.append(threading.current_thread().name) or memory_storage()()  # type: ignore[method-assign]
    await storage.create("t")
    assert seen and seen[0].startswith("optuna") and seen[0] != threading.current_thread().name


def test_the_database_url_is_turned_into_a_psycopg_url() -> None:
    assert psycopg_url("postgresql+asyncpg://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert psycopg_url("postgres://u@h/db?ssl=require") == "postgresql+psycopg://u@h/db?sslmode=require"
