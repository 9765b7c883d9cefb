"""The lifecycle the demo (and its end-to-end test) drives: every step through a public API or an event.

Each stage is timed. When a service cannot take a step (not running, or its API answers that it cannot), the stage
is recorded as `blocked` with the reason, and the stages that depend on it are skipped: the summary then says
exactly how far the platform got.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from tuneline.cli.demo.datasets import write_maintenance_logs, write_quality_summaries
from tuneline.cli.demo.forms import classification_form, summarisation_form
from tuneline.common.auth import mint_token
from tuneline.common.samples import MAINTENANCE_LABELS, classification_prompt, maintenance_classification
from tuneline.common.settings import ServiceSettings
from tuneline.sdk import ApiError, Tuneline
from tuneline.sdk.data import DatasetVersion
from tuneline.sdk.evaluation import Evaluation
from tuneline.sdk.registry import Deployment, ModelVersion
from tuneline.sdk.training import Job

T = TypeVar("T")
Say = Callable[[str], None]

#: The recipe measured on this task (bench/bench_forgetting.py and the e2e test's data, 2 cores): LoRA r16, no
#: dropout, lr 1e-3, with self-distilled general replay 0.25. Without replay the general suite fell 21 points and
#: the forgetting gate blocked the release; with it at lr 5e-4 held-out accuracy varied 60-90% between data draws,
#: at 1e-3 it reached 91-93% with the suite unchanged (text perplexity x1.3, within the gate's x1.5).
DEMO_HYPERPARAMETERS: dict[str, Any] = {
    "batch_size": 8,
    "learning_rate": 1e-3,
    "lora_rank": 16,
    "lora_dropout": 0.0,
    "early_stopping_patience": 0,
    "general_replay": 0.25,
}


class StageBlocked(Exception):
    """A step the platform cannot take (yet); the message says which service lacks what."""


@dataclass
class Stage:
    name: str
    status: str = "ok"  # ok, blocked, skipped
    seconds: float = 0.0
    detail: str = ""


@dataclass
class DemoSizes:
    """How big the demo is; the defaults reach a clear improvement within the 10-minute time-to-model target."""

    records: int = 320
    epochs: int = 1
    served_requests: int = 20
    drift_requests: int = 60
    max_tokens: int = 8
    wait_s: float = 900.0


@dataclass
class People:
    """The realistic roles of the demo, each with their own token."""

    submitter: Tuneline
    reviewer: Tuneline
    data_owner: Tuneline
    ml_engineer: Tuneline
    sre: Tuneline
    admin: Tuneline  # governance: only an admin changes a model's policy (prompt logging for drift checks)

    @classmethod
    def minted(cls, urls: dict[str, str], serving_url: str, settings: ServiceSettings) -> People:
        def person(subject: str, *roles: str) -> Tuneline:
            token = mint_token(settings, subject, list(roles), ttl=timedelta(hours=4), team="plant-ops")
            return Tuneline(token, urls, serving_url=serving_url, timeout_s=120)

        return cls(
            submitter=person("maria.keller@plant.example", "data_owner"),
            reviewer=person("rui.costa@plant.example", "reviewer"),
            data_owner=person("dana.owens@plant.example", "data_owner"),
            ml_engineer=person("mike.ito@plant.example", "ml_engineer"),
            sre=person("sam.reyes@plant.example", "sre"),
            admin=person("ada.admin@plant.example", "admin"),
        )


@dataclass
class Outcome:
    """What the demo learnt along the way (for the summary table and the tests)."""

    usecase_id: str | None = None
    second_usecase_id: str | None = None
    dataset_version: DatasetVersion | None = None
    second_dataset_version: DatasetVersion | None = None
    planted: dict[str, int] = field(default_factory=dict)
    job: Job | None = None
    model_name: str | None = None
    evaluation: Evaluation | None = None
    version: ModelVersion | None = None
    deployment: Deployment | None = None
    served_accuracy: float | None = None
    served_requests: int = 0
    monitored_requests: int = 0
    drift_detected: bool = False
    retrain_actions: list[str] = field(default_factory=list)
    upload_started_at: float | None = None
    first_answer_at: float | None = None
    trace_id: str | None = None

    def time_to_model_s(self) -> float | None:
        """Seconds from the dataset upload to the tuned model's first served answer."""
        if self.upload_started_at is None or self.first_answer_at is None:
            return None
        return self.first_answer_at - self.upload_started_at


class Lifecycle:
    def __init__(self, people: People, workdir: Path, say: Say, sizes: DemoSizes | None = None) -> None:
        self.people = people
        self.workdir = workdir
        self.say = say
        self.sizes = sizes or DemoSizes()
        self.stages: list[Stage] = []
        self.outcome = Outcome()
        self._blocked: str | None = None

    # ------------------------------------------------------------------------------------------------ plumbing

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Time a stage; a refusal or an unexpected error marks it blocked (and later stages skipped)."""
        stage = Stage(name)
        self.stages.append(stage)
        self.say(f"▶ {name}")
        started = time.monotonic()
        try:
            yield stage
        except (StageBlocked, ApiError, TimeoutError) as exc:
            stage.status, stage.detail = "blocked", str(exc)
        except Exception as exc:  # the demo must still print how far it got; the error names itself
            stage.status, stage.detail = "blocked", f"{type(exc).__name__}: {exc}"
        finally:
            stage.seconds = time.monotonic() - started
        if stage.status == "ok":
            self.say(f"✓ {name} ({stage.seconds:.1f}s) {stage.detail}")
        else:
            self._blocked = name
            self.say(f"✗ {name}: {stage.detail}")

    @staticmethod
    def _until(check: Callable[[], T | None], timeout_s: float, what: str, poll_s: float = 0.5) -> T:
        deadline = time.monotonic() + timeout_s
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not happen within {timeout_s:.0f}s")
            time.sleep(poll_s)

    # ------------------------------------------------------------------------------------------------ the story

    STEPS = (
        "intake",
        "data",
        "second_usecase",
        "training",
        "evaluation",
        "release",
        "serving",
        "monitoring",
        "drift",
        "canary",
    )

    #: Steps the main story does not depend on (they run even after a blocked stage).
    INDEPENDENT = frozenset({"second_usecase"})

    def run(self, steps: tuple[str, ...] = STEPS) -> list[Stage]:
        """Run the named steps in the story's order (all by default)."""
        unknown = set(steps) - set(self.STEPS)
        if unknown:
            raise ValueError(f"unknown step(s): {', '.join(sorted(unknown))}; known: {', '.join(self.STEPS)}")
        for name in self.STEPS:
            if name not in steps:
                continue
            if self._blocked is not None and name not in self.INDEPENDENT:
                self.stages.append(Stage(name, "skipped", 0.0, f"needs: {self._blocked}"))
                self.say(f"– {name}: skipped (needs: {self._blocked})")
                continue
            getattr(self, name)()
        return self.stages

    def intake(self) -> None:
        with self.stage("intake: create, submit, review, approve") as stage:
            people = self.people
            usecase = people.submitter.intake.create(classification_form())
            people.submitter.intake.submit(usecase.id)
            people.reviewer.intake.start_review(usecase.id)
            trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
            approved = people.reviewer.intake.approve(
                usecase.id, reason="clear KPI, CMMS data available", traceparent=f"00-{trace_id}-{span_id}-01"
            )
            self.outcome.usecase_id, self.outcome.trace_id = str(usecase.id), trace_id
            stage.detail = f"{approved.title}: {approved.status}, approach {approved.recommended_approach}"

    def _dataset_for(self, client: Tuneline, usecase_id: str, name: str) -> str:
        """Create the dataset once the data service has heard of the approval (it arrives as an event)."""

        def attempt() -> str | None:
            try:
                return str(client.data.create_dataset(usecase_id, name).id)
            except ApiError as exc:
                if exc.status in (404, 409, 422):
                    return None
                raise

        return self._until(attempt, 60, "the data service learning of the approval (usecase.approved)")

    def data(self) -> None:
        with self.stage("data: upload, validate, redact PII, dedup, split") as stage:
            owner = self.people.data_owner
            usecase_id = self._required(self.outcome.usecase_id)
            dataset_id = self._dataset_for(owner, usecase_id, "CMMS maintenance logs 2025")
            path = self.workdir / "maintenance_logs.jsonl"
            self.outcome.planted = write_maintenance_logs(path, n=self.sizes.records)
            self.outcome.upload_started_at = time.monotonic()
            last = [0]

            def progress(sent: int, total: int) -> None:
                if sent == total or sent - last[0] > total // 4:
                    last[0] = sent
                    self.say(f"  uploaded {sent}/{total} bytes")

            result = owner.data.upload(dataset_id, path, split="80/10/10", progress=progress)
            version = result.version
            if version is None:
                raise StageBlocked(f"upload {result.upload.status}: {result.upload.error}")
            self.say(
                f"  v{version.number}: {version.status}, {version.record_count} records, quality "
                f"{version.quality_score:.1f}, PII left {version.remaining_pii} (scanned: {version.pii_scanned})"
            )
            deduped = owner.data.dedup(dataset_id, version.number)
            self.say(f"  v{deduped.number} (dedup): {deduped.status}, {deduped.record_count} records")
            best = deduped if deduped.status == "ready" else version
            if best.status != "ready":
                raise StageBlocked(f"no ready version: {'; '.join(best.rejection_reasons)}")
            self.outcome.dataset_version = best
            stage.detail = (
                f"v{best.number} ready: {best.record_count} records, quality {best.quality_score:.1f}, "
                f"splits {best.split_counts}"
            )

    def second_usecase(self) -> None:
        earlier = self._blocked
        with self.stage("second use case (summarisation): intake and data") as stage:
            people = self.people
            usecase = people.submitter.intake.create(summarisation_form())
            people.submitter.intake.submit(usecase.id)
            people.reviewer.intake.approve(usecase.id, reason="shift leads asked for it")
            self.outcome.second_usecase_id = str(usecase.id)
            dataset_id = self._dataset_for(people.data_owner, str(usecase.id), "MES shift logs")
            path = self.workdir / "quality_summaries.jsonl"
            write_quality_summaries(path)
            version = people.data_owner.data.upload(dataset_id, path, split="80/10/10").version
            if version is None:
                raise StageBlocked("the summarisation upload produced no version")
            notes = [f"v{version.number} {version.status}" + _reasons(version)]
            if version.status != "ready" and any("personal data" in r for r in version.rejection_reasons):
                # The use case declared no personal data, yet the scan found some: the data owner redacts it.
                version = people.data_owner.data.redact(dataset_id, version.number, "replace")
                notes.append(f"redacted → v{version.number} {version.status}" + _reasons(version))
            self.outcome.second_dataset_version = version
            stage.detail = f"{'; '.join(notes)}; {version.record_count} {version.record_format} records"
        self._blocked = earlier  # the main story does not depend on the second use case

    def training(self) -> None:
        with self.stage("training: LoRA on SmolLM2-135M") as stage:
            engineer = self.people.ml_engineer
            version = self._required(self.outcome.dataset_version)
            job = self._create_job(str(version.id))
            seconds = job.estimate.get("seconds")
            estimate = f"{seconds:.0f} s" if isinstance(seconds, int | float) else "unknown"
            self.say(f"  job {job.id} {job.status}: {job.total_steps} steps, estimate {estimate} for the whole run")
            for line in job.estimate.get("breakdown") or []:
                self.say(f"    {line}")
            shown: list[tuple[object, ...]] = [()]

            def show(j: Job) -> None:
                # a new line for each phase, replay answer batch and step (not for each poll's new ETA)
                seen = (j.status, j.phase, j.phase_done, j.step)
                if seen != shown[0]:
                    shown[0] = seen
                    self.say(f"  {j.activity()}")

            final = engineer.training.wait(job.id, timeout_s=self.sizes.wait_s, poll_s=0.5, on_update=show)
            self.outcome.job = final
            if final.status != "succeeded":
                raise StageBlocked(f"job {final.status}: {final.failure_reason}")
            stage.detail = (
                f"{final.total_steps} steps, loss {final.train_loss}, method {final.method_ran}, "
                f"{final.duration_seconds:.0f}s"
            )

    def evaluation(self) -> None:
        with self.stage("evaluation: base vs tuned, forgetting gate, registration") as stage:
            engineer = self.people.ml_engineer
            job = self._required(self.outcome.job)
            evaluation = engineer.evaluation.for_job(
                job.id, usecase_id=job.usecase_id, timeout_s=self.sizes.wait_s, poll_s=0.5
            )
            self.outcome.evaluation = evaluation
            self.say(f"  evaluation {evaluation.id} {evaluation.status}: passed={evaluation.passed}")
            for name in sorted(set(evaluation.metrics_base) | set(evaluation.metrics_tuned)):
                base, tuned = evaluation.metrics_base.get(name), evaluation.metrics_tuned.get(name)
                self.say(f"    {name}: base {base} → tuned {tuned}")
            for reason in evaluation.reasons:
                self.say(f"    gate: {reason}")

            def registered() -> tuple[str, ModelVersion] | None:
                for m in engineer.registry.models(usecase_id=job.usecase_id):
                    for v in engineer.registry.versions(m.name):
                        if str(v.job_id) == str(job.id):
                            return m.name, v
                return None

            name, version = self._until(registered, 120, "evaluation.completed → a registered version", poll_s=1.0)
            self.outcome.model_name, self.outcome.version = name, version
            stage.detail = f"passed={evaluation.passed}; registered {name} v{version.version} in {version.stage}"
            if not evaluation.passed:
                raise StageBlocked(f"the release gate blocked {name} v{version.version}: {evaluation.reasons}")

    def release(self) -> None:
        with self.stage("release: model card, production deployment") as stage:
            engineer = self.people.ml_engineer
            name, version = self._required(self.outcome.model_name), self._required(self.outcome.version)
            card = engineer.registry.card(name, version.version)
            self.say(f"  model card: {len(card.splitlines())} lines")
            self.people.admin.registry.set_policy(name, log_prompts=True)  # policy changes are admin-only
            deployment = engineer.registry.deploy(name, version.version)
            deployment = self._until(
                lambda: self._healthy(engineer, name), self.sizes.wait_s, f"{name} serving on Ray Serve", poll_s=2.0
            )
            self.outcome.deployment = deployment
            stage.detail = f"{name} v{deployment.stable_version} at 100% on {deployment.endpoint}"

    @staticmethod
    def _healthy(client: Tuneline, name: str) -> Deployment | None:
        deployment = client.registry.deployment(name)
        if deployment.status == "failed":
            raise StageBlocked(f"deployment failed: {deployment.detail}")
        return deployment if deployment.status == "healthy" else None

    def serving(self) -> None:
        with self.stage("serving: OpenAI-compatible requests") as stage:
            engineer = self.people.ml_engineer
            name, deployment = self._required(self.outcome.model_name), self._required(self.outcome.deployment)
            key = engineer.registry.create_key("demo-client", [name])
            inference = engineer.inference(self._required(key.key), url=deployment.endpoint)
            held_out = maintenance_classification(n=self.sizes.served_requests, seed=4242)
            labels = self._trained_labels()
            correct = 0
            for i, record in enumerate(held_out):
                prompt = classification_prompt(record["text"], labels)
                answer = self._until(partial(self._ask, inference, name, prompt), 120, "an answer", poll_s=2.0)
                if i == 0:
                    self.outcome.first_answer_at = time.monotonic()
                correct += answer.strip().lower().startswith(record["label"])
            self.outcome.served_requests = len(held_out)
            self.outcome.served_accuracy = correct / len(held_out)
            stage.detail = f"{len(held_out)} requests, served accuracy {self.outcome.served_accuracy:.0%}"

    def _ask(self, inference: Any, model: str, prompt: str) -> str | None:
        try:
            # greedy, as evaluation measured the model: the label it ranks first (the API's default samples at 1.0)
            reply = inference.chat(
                model, [{"role": "user", "content": prompt}], max_tokens=self.sizes.max_tokens, temperature=0
            )
        except ApiError as exc:
            if exc.status in (404, 503):  # the deployment is still starting its replica
                return None
            raise
        return str(reply.text) or " "

    def monitoring(self) -> None:
        with self.stage("monitoring: traffic per version and arm") as stage:
            sre = self.people.sre
            name = self._required(self.outcome.model_name)
            wanted = self.outcome.served_requests

            def counted() -> int | None:
                total = sre.monitoring.current(name).total_requests()
                return total if total >= wanted else None

            self.outcome.monitored_requests = self._until(counted, 60, f"monitoring counting {wanted} requests")
            stage.detail = f"{self.outcome.monitored_requests} requests seen by monitoring"

    def drift(self) -> None:
        with self.stage("drift: shifted traffic → drift.detected → retrain.requested") as stage:
            engineer, sre = self.people.ml_engineer, self.people.sre
            name, deployment = self._required(self.outcome.model_name), self._required(self.outcome.deployment)
            key = engineer.registry.create_key("demo-shifted-client", [name])
            inference = engineer.inference(self._required(key.key), url=deployment.endpoint)
            shifted = _shifted_prompts(self.sizes.drift_requests)
            for prompt in shifted:
                self._ask(inference, name, prompt)
            report = self._until(
                lambda: next(iter(sre.monitoring.drift_reports(model=name, drifted=True)), None),
                240,
                "a drift report on the shifted traffic",
                poll_s=3.0,
            )
            self.outcome.drift_detected = report.drifted
            usecase_id = self._required(self.outcome.usecase_id)
            actions = self._until(
                lambda: sre.monitoring.retrain_actions(usecase_id), 60, "monitoring's retraining decision", poll_s=2.0
            )
            self.outcome.retrain_actions = [f"{a.action} ({a.trigger})" for a in actions]
            drifted = [str(c.get("name")) for c in report.checks if c.get("drifted")]
            stage.detail = f"drifted checks: {drifted}; " + (", ".join(self.outcome.retrain_actions))

    def canary(self) -> None:
        with self.stage("retrained version: 10% canary → 100%") as stage:
            engineer, sre = self.people.ml_engineer, self.people.sre
            name, first = self._required(self.outcome.model_name), self._required(self.outcome.job)

            job = self._retraining_job(first)
            self.say(f"  retraining job {job.id}: {job.total_steps} steps")
            job = engineer.training.wait(job.id, timeout_s=self.sizes.wait_s, poll_s=0.5)
            if job.status != "succeeded":
                raise StageBlocked(f"retraining job {job.status}: {job.failure_reason}")

            def second_version() -> ModelVersion | None:
                return next((v for v in engineer.registry.versions(name) if str(v.job_id) == str(job.id)), None)

            version = self._until(second_version, self.sizes.wait_s, f"{name} v2 registered", poll_s=2.0)
            if version.stage != "staging":
                raise StageBlocked(f"{name} v{version.version} is {version.stage}: the gate did not pass it")
            engineer.registry.deploy(name, version.version, canary_weight=0.1)
            deployment = self._until(lambda: self._healthy(engineer, name), 300, "the canary serving", poll_s=2.0)
            key = engineer.registry.create_key("demo-canary-client", [name])
            inference = engineer.inference(self._required(key.key), url=deployment.endpoint)
            labels = self._trained_labels()
            for record in maintenance_classification(n=self.sizes.served_requests, seed=777):
                prompt = classification_prompt(record["text"], labels)
                self._until(partial(self._ask, inference, name, prompt), 120, "an answer", poll_s=2.0)
            arms = {item.arm: item.figures.requests for item in sre.monitoring.current(name).items}
            promoted = engineer.registry.promote_canary(name)
            self.outcome.deployment = promoted
            stage.detail = (
                f"v{version.version} served as a 10% canary (requests per arm: {arms}), "
                f"then promoted: v{promoted.stable_version} takes 100%"
            )

    def _retraining_job(self, first: Job) -> Job:
        """The job monitoring's decision leads to. `retrain` (a newer dataset existed): training queues it from
        retrain.requested. `request_new_data` (drift, but nothing newer to train on): the data owner exports this
        week's logs as a new version and the ML engineer retrains on it with the recipe of the served model."""
        engineer = self.people.ml_engineer
        if any(action.startswith("retrain ") for action in self.outcome.retrain_actions):

            def queued() -> Job | None:
                jobs = engineer.training.list_jobs(usecase_id=first.usecase_id)
                return next((j for j in jobs if j.id != first.id and j.source == "retrain.requested"), None)

            return self._until(queued, 60, "training queueing the job retrain.requested asked for", poll_s=2.0)
        owner, version = self.people.data_owner, self._required(self.outcome.dataset_version)
        path = self.workdir / "maintenance_logs_fresh.jsonl"
        write_maintenance_logs(path, n=self.sizes.records, seed=11)
        fresh = owner.data.upload(version.dataset_id, path, split="80/10/10").version
        if fresh is None or fresh.status != "ready":
            raise StageBlocked(f"the fresh export was not accepted: {fresh.status if fresh else 'no version'}")
        self.say(f"  monitoring asked for new data: fresh export v{fresh.number} ({fresh.record_count} records)")
        return self._create_job(str(fresh.id))

    def _create_job(self, version_id: str) -> Job:
        """Queue the demo's recipe on a version, once training has heard of it (dataset.ready is an event)."""
        engineer = self.people.ml_engineer
        hyper = {**DEMO_HYPERPARAMETERS, "epochs": self.sizes.epochs}

        def created() -> Job | None:
            try:
                return engineer.training.create_job(version_id, preset="balanced", hyperparameters=hyper)
            except ApiError as exc:
                if exc.status == 404:  # training has not seen this version's dataset.ready yet
                    return None
                raise

        return self._until(created, 60, "training learning of the version (dataset.ready)", poll_s=0.5)

    def _trained_labels(self) -> list[str]:
        """The label list exactly as training showed it (the model version's template), so the prompt matches."""
        template = self.outcome.version.prompt_template if self.outcome.version is not None else None
        if template and template.get("labels"):
            return list(template["labels"])
        version = self.outcome.dataset_version
        return list(version.labels) if version is not None and version.labels else sorted(MAINTENANCE_LABELS)

    @staticmethod
    def _required(value: T | None) -> T:
        if value is None:
            raise StageBlocked("an earlier stage did not produce what this one needs")
        return value


def _reasons(version: DatasetVersion) -> str:
    return f" ({'; '.join(version.rejection_reasons)})" if version.rejection_reasons else ""


def _shifted_prompts(n: int) -> list[str]:
    """Requests unlike the training data: long supplier e-mails about invoices, not maintenance entries."""
    subjects = ("invoice", "delivery schedule", "price increase", "framework contract", "payment terms")
    return [
        f"Dear purchasing team, regarding the {subjects[i % len(subjects)]} for order PO-{48000 + i}, we kindly ask "
        f"you to confirm the revised quantities of {10 * (i % 7 + 1)} pallets and the new unit price of "
        f"{math.floor(12.5 * (i % 9 + 1))} EUR before the end of the quarter. Best regards, Supplier {i}"
        for i in range(n)
    ]
