"""Every call to Optuna: its study storage (PostgreSQL in production), the TPE sampler and the median pruner.

Optuna's RDBStorage is synchronous SQLAlchemy, so `StudyStorage` runs every call on one thread of its own and
never on the event loop. In PostgreSQL the tables live in the schema ``<service schema>_optuna``
(``TrainingSettings.optuna_schema``, created by migration 0010), the service's own; Optuna creates and versions them
(``optuna storage upgrade`` after an Optuna upgrade that changes them). Unit tests hand `StudyStorage` Optuna's
InMemoryStorage: the same sampler and pruner, without a database.

Each study is an Optuna study named by the study's id, minimising validation loss. The sampler is rebuilt for every
ask with a seed derived from the study's seed and the trial's index, so a study samples the same parameters
whatever process asks and however often it restarted.
"""

from __future__ import annotations

import asyncio
import functools
import math
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tuneline.training.studies.search import Dimension

T = TypeVar("T")
#: What a finished trial is told as.
Outcome = Literal["complete", "pruned", "failed"]
#: How a trial that never got a job says why (a user attribute in Optuna).
NOTE = "note"


@dataclass(frozen=True)
class SamplerSpec:
    """TPE seeded per study: `seed` is the study's, `startup_trials` how many are sampled at random first."""

    seed: int
    startup_trials: int


@dataclass(frozen=True)
class PrunerSpec:
    """Median pruning (off when not `enabled`): after `startup_trials` completed trials, a trial whose best
    validation loss so far is worse than the median of completed trials' at the same step is pruned (not before
    `warmup_steps`)."""

    enabled: bool
    startup_trials: int
    warmup_steps: int


@dataclass(frozen=True)
class TrialRecord:
    number: int
    state: str  # running | complete | pruned | failed | waiting
    params: dict[str, Any]
    value: float | None
    curve: list[tuple[int, float]]  # (step, validation loss) as reported
    note: str | None
    started_at: datetime | None
    finished_at: datetime | None


def trial_seed(study_seed: int, index: int) -> int:
    """The sampler's seed for the study's `index`-th ask: studies seeded s and s+1 do not share trials."""
    return (study_seed * 1_000_003 + index) % 2**32


class StudyStorage:
    """Optuna, off the event loop: one worker thread, the storage opened on it at first use."""

    def __init__(self, open_storage: Callable[[], Any]) -> None:
        self._open = open_storage
        self._storage: Any = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="optuna")

    # ------------------------------------------------------------------------------------------- async face

    async def create(self, name: str) -> None:
        await self._call(self._create, name)

    async def ask(self, name: str, dims: list[Dimension], sampler: SamplerSpec) -> tuple[int, dict[str, Any]]:
        """A new trial: its number and sampled parameters (typed as the recipe takes them)."""
        return await self._call(self._ask, name, dims, sampler)

    async def report(self, name: str, number: int, step: int, value: float, pruner: PrunerSpec) -> bool:
        """Record the trial's validation loss at `step`; True when the pruner says to stop it."""
        return await self._call(self._report, name, number, step, value, pruner)

    async def tell(
        self, name: str, number: int, outcome: Outcome, value: float | None = None, note: str | None = None
    ) -> None:
        """Finish a trial (a repeat is ignored): complete with its value, pruned, or failed with a note."""
        await self._call(self._tell, name, number, outcome, value, note)

    async def trials(self, name: str) -> list[TrialRecord]:
        return await self._call(self._trials, name)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        engine = getattr(self._storage, "engine", None)
        if engine is not None:
            engine.dispose()

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    # ------------------------------------------------------------------------------------------- on the thread

    def _store(self) -> Any:
        with self._lock:
            if self._storage is None:
                import optuna

                optuna.logging.set_verbosity(optuna.logging.WARNING)  # trials are logged by the service, with ids
                self._storage = self._open()
            return self._storage

    def _study(self, name: str, sampler: Any = None, pruner: Any = None) -> Any:
        import optuna

        return optuna.load_study(study_name=name, storage=self._store(), sampler=sampler, pruner=pruner)

    def _create(self, name: str) -> None:
        import optuna

        optuna.create_study(study_name=name, storage=self._store(), direction="minimize", load_if_exists=True)

    def _ask(self, name: str, dims: list[Dimension], spec: SamplerSpec) -> tuple[int, dict[str, Any]]:
        import optuna

        index = len(self._store().get_all_trials(self._study_id(name), deepcopy=False))
        sampler = optuna.samplers.TPESampler(seed=trial_seed(spec.seed, index), n_startup_trials=spec.startup_trials)
        study = self._study(name, sampler=sampler)
        trial = study.ask(fixed_distributions={d.name: _distribution(d) for d in dims})
        by_name = {d.name: d for d in dims}
        return trial.number, {k: by_name[k].typed(v) for k, v in trial.params.items()}

    def _report(self, name: str, number: int, step: int, value: float, spec: PrunerSpec) -> bool:
        import optuna

        storage = self._store()
        trial_id = storage.get_trial_id_from_study_id_trial_number(self._study_id(name), number)
        if storage.get_trial(trial_id).state != optuna.trial.TrialState.RUNNING:
            return False  # already told (the study was cancelled, or a late report of a resumed run)
        study = self._study(name, pruner=_pruner(spec))
        trial = optuna.Trial(study, trial_id)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a resumed run reports a step again: Optuna keeps the first
            trial.report(value, step)
        return bool(trial.should_prune())

    def _tell(self, name: str, number: int, outcome: Outcome, value: float | None, note: str | None) -> None:
        import optuna

        storage = self._store()
        trial_id = storage.get_trial_id_from_study_id_trial_number(self._study_id(name), number)
        if storage.get_trial(trial_id).state != optuna.trial.TrialState.RUNNING:
            return
        if note:
            storage.set_trial_user_attr(trial_id, NOTE, note)
        state = {
            "complete": optuna.trial.TrialState.COMPLETE,
            "pruned": optuna.trial.TrialState.PRUNED,
            "failed": optuna.trial.TrialState.FAIL,
        }[outcome]
        study = self._study(name)
        study.tell(number, value if outcome == "complete" else None, state=state, skip_if_finished=True)

    def _trials(self, name: str) -> list[TrialRecord]:
        storage = self._store()
        return [_record(t) for t in storage.get_all_trials(self._study_id(name), deepcopy=False)]

    def _study_id(self, name: str) -> int:
        return int(self._store().get_study_id_from_name(name))


def _distribution(d: Dimension) -> Any:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if d.choices is not None:
        return CategoricalDistribution(list(d.choices))
    assert d.low is not None and d.high is not None
    if d.kind == "int":
        return IntDistribution(int(d.low), int(d.high), log=d.log, step=int(d.step or 1))
    return FloatDistribution(d.low, d.high, log=d.log, step=d.step)


def _pruner(spec: PrunerSpec) -> Any:
    import optuna

    if not spec.enabled:
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=spec.startup_trials, n_warmup_steps=spec.warmup_steps)


def _record(trial: Any) -> TrialRecord:
    state = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed"}.get(
        trial.state.name, trial.state.name.lower()
    )
    value = trial.value if trial.state.name == "COMPLETE" else None
    return TrialRecord(
        number=trial.number,
        state=state,
        params=dict(trial.params),
        value=float(value) if value is not None and math.isfinite(value) else None,
        curve=sorted((int(step), float(v)) for step, v in trial.intermediate_values.items()),
        note=trial.user_attrs.get(NOTE),
        started_at=_aware(trial.datetime_start),
        finished_at=_aware(trial.datetime_complete),
    )


def _aware(moment: datetime | None) -> datetime | None:
    # Optuna stores naive local times; the service answers in aware UTC.
    return moment.astimezone(UTC) if moment is not None else None


# ------------------------------------------------------------------------------------------------ PostgreSQL


def psycopg_url(database_url: str) -> str:
    """The service's database URL (asyncpg) for SQLAlchemy's synchronous psycopg 3 driver."""
    url = make_url(database_url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
    query = dict(url.query)
    if "ssl" in query:  # asyncpg's name for libpq's sslmode (same values: disable, require, verify-full, ...)
        query["sslmode"] = query.pop("ssl")
    return url.set(query=query).render_as_string(hide_password=False)


def postgres_storage(database_url: str, schema: str) -> Callable[[], Any]:
    """Opens Optuna's RDBStorage on `schema` (its search path). The first opening creates Optuna's tables and stamps
    their version: concurrent first openings (the API and a worker starting together) queue on an advisory lock."""

    def open_storage() -> Any:
        import optuna

        url = psycopg_url(database_url)
        connect_args = {"options": f"-c search_path={schema}", "application_name": schema}
        engine_kwargs = {"connect_args": connect_args, "pool_pre_ping": True, "pool_size": 2, "hide_parameters": True}
        guard = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)
        try:
            with guard.begin() as connection:
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"optuna:{schema}"})
                return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
        finally:
            guard.dispose()

    return open_storage


def memory_storage() -> Callable[[], Any]:
    """Optuna's in-memory storage (unit tests, and nothing else: it forgets every study at exit)."""

    def open_storage() -> Any:
        import optuna

        return optuna.storages.InMemoryStorage()

    return open_storage
