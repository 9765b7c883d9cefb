"""Eight models from eight use cases served at once by one pool on a 2-CPU local Ray, through the registry's REST
API (real PostgreSQL and Kafka) and Ray Serve's HTTP proxy: each answers with its own adapter, one runs a 10%
canary, each key reaches only its own model, and deploying a model starts no replica.
"""

import asyncio
import json
import socket
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from tuneline.common.events import EVALUATION_COMPLETED, EvaluationCompleted
from tuneline.common.messaging import publish_now
from tuneline.common.testing.fixtures import scratch_database
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.registry.app import create_app
from tuneline.registry.deployments.runtime import RayServingRuntime
from tuneline.registry.deployments.serve_controller import ServeController
from tuneline.registry.settings import RegistrySettings

pytestmark = pytest.mark.integration  # the fast tier's tiny model; Ray makes it the heaviest of that tier

MODELS = 8
PROMPT = [{"role": "user", "content": "pump 4 overheating on line 2"}]
MAX_TOKENS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    app: FastAPI
    client: httpx.AsyncClient
    settings: RegistrySettings
    controller: ServeController
    objects: Path
    tiny: Path
    serve_url: str
    make_adapter: Callable[..., Path]
    names: list[str] = field(default_factory=list)
    adapters: dict[str, list[Path]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def as_(self, role: str) -> dict[str, str]:
        return bearer(self.settings, role, subject=f"{role}-1")

    async def register(self, usecase: UUID, seed: int) -> Path:
        """A version as evaluation leaves it: a real LoRA adapter in the object store and evaluation.completed."""
        job_id = uuid4()
        adapter = self.make_adapter(self.tiny, self.objects / "jobs" / str(job_id) / "adapter", seed=seed)
        event = EvaluationCompleted(
            producer="evaluation",
            usecase_id=usecase,
            evaluation_id=uuid4(),
            job_id=job_id,
            dataset_version_id=uuid4(),
            task_type="classification",
            base_model="tiny-base",
            adapter_uri=adapter.as_uri(),
            passed=True,
            reasons=["accuracy 0.97 >= 0.9"],
            metrics_base={"accuracy": 0.1},
            metrics_tuned={"accuracy": 0.97},
            forgetting={"general_perplexity_ratio": 1.0},
            hyperparameters={"learning_rate": 0.0005, "lora_r": 4},
            team=TEST_TEAM,
        )
        await publish_now(self.app.state.tuneline.broker, EVALUATION_COMPLETED, event)
        return adapter

    async def versions(self, name: str, count: int) -> None:
        async def check() -> bool | None:
            r = await self.client.get(f"/models/{name}/versions", headers=self.as_("viewer"))
            return True if r.status_code == 200 and len(r.json()) >= count else None

        await eventually(check, timeout_s=30, what=f"{count} versions of {name}")


@pytest.fixture(scope="module")
def pool_database_url(postgres_admin_url: str) -> Iterator[str]:
    """A database of this module's own: the registry puts every deployed model into the pool's configuration, so
    models that other tests left deployed (with placeholder adapters) in the shared database must not be there."""
    with scratch_database(postgres_admin_url, "pool") as url:
        yield url


@pytest_asyncio.fixture(scope="module")
async def stack(
    pool_database_url: str,
    kafka_bootstrap: str,
    registry_tiny_model: Path,
    registry_adapter_maker: Callable[..., Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    root = tmp_path_factory.mktemp("pool")
    port = _free_port()
    settings = RegistrySettings(
        environment="test",
        database_url=pool_database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_session_timeout_ms=2000,
        kafka_fetch_max_wait_ms=10,
        object_store_url=(root / "objects").as_uri(),
        outbox_poll_interval_s=0.2,
        base_model_dirs=json.dumps({"tiny-base": str(registry_tiny_model)}),
        adapter_cache_dir=str(root / "adapter-cache"),
        inference_sink="log",
        serve_http_port=port,
        serve_torch_threads=1,
    )
    controller = ServeController(
        settings.pepper().decode(),
        ray_address="local",
        http_port=port,
        gateway_env=settings.rate_limit_env(),  # key limits counted in this test's PostgreSQL, as the app does
    )
    # The embedded stack's budget: two CPUs for everything Serve runs (TRAPS.md).
    controller.start(num_cpus=2, include_dashboard=False, log_to_driver=False)
    app = create_app(settings, runtime=RayServingRuntime(controller))
    try:
        async with running_app(app) as client:
            objects, url = root / "objects", f"http://127.0.0.1:{port}"
            yield Stack(app, client, settings, controller, objects, registry_tiny_model, url, registry_adapter_maker)
    finally:
        controller.shutdown()


async def expected_answers(tiny: Path, adapters: dict[str, Path]) -> dict[str, str]:
    """What each adapter answers when run in this process, on the same engine and batcher code the pool runs."""
    from tuneline.registry.serving.batcher import ContinuousBatcher
    from tuneline.registry.serving.engine import AdapterEngine, GenerationParams

    engine = AdapterEngine(str(tiny), torch_threads=1, max_loaded=len(adapters))
    ids = engine.encode_chat(PROMPT)
    params = GenerationParams(max_new_tokens=MAX_TOKENS, temperature=0)
    batcher = ContinuousBatcher(engine)
    try:
        return {
            name: (await batcher.generate(f"expected-{name}", str(path), ids, params)).text
            for name, path in adapters.items()
        }
    finally:
        batcher.close()


def replica_pids(stack: Stack, name: str) -> tuple[int, int]:
    return stack.controller.router_info(name)["pid"], stack.controller.server_status(name)["pid"]


def chat(stack: Stack, name: str, key: str, client: httpx.Client, max_tokens: int = MAX_TOKENS) -> httpx.Response:
    body: dict[str, Any] = {"model": name, "messages": PROMPT, "max_tokens": max_tokens, "temperature": 0}
    return client.post(
        f"{stack.serve_url}/{name}/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=120,
    )


async def test_eight_models_share_one_pool_answer_with_their_own_adapter_and_keys_stay_scoped(stack: Stack) -> None:
    c, eng = stack.client, stack.as_("ml_engineer")
    replicas: set[tuple[int, int]] = set()
    for i in range(MODELS):
        usecase = uuid4()
        name = f"classification-{usecase.hex[:8]}"
        stack.adapters[name] = [await stack.register(usecase, seed=200 + i)]
        await stack.versions(name, 1)
        r = await c.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)
        assert r.status_code == 200 and r.json()["status"] == "healthy", r.text
        assert r.json()["endpoint"] == f"{stack.serve_url}/{name}/v1"
        key = await c.post("/models/keys", json={"name": f"key-{i}", "models": [name]}, headers=eng)
        assert key.status_code == 201, key.text
        stack.names.append(name)
        stack.keys[name] = key.json()["key"]
        replicas.add(await asyncio.to_thread(replica_pids, stack, name))
    assert len(replicas) == 1  # every deployment reconfigured the same gateway and pool replicas
    assert len({stack.controller.pool_of(n) for n in stack.names}) == 1

    # The first model gets a second version as a 10% canary.
    first = stack.names[0]
    usecase = UUID((await c.get(f"/models/{first}", headers=eng)).json()["usecase_id"])
    stack.adapters[first].append(await stack.register(usecase, seed=300))
    await stack.versions(first, 2)
    r = await c.post(f"/models/{first}/deployment", json={"version": 2, "canary_weight": 0.1}, headers=eng)
    assert r.status_code == 200 and r.json()["canary_weight"] == 0.1, r.text
    loaded = (await asyncio.to_thread(stack.controller.server_status, first))["loaded"]
    assert len(loaded) == MODELS + 1  # eight stable versions and one canary, all on one replica

    stable = {name: paths[0] for name, paths in stack.adapters.items()}
    expected = await expected_answers(stack.tiny, stable)
    assert len(set(expected.values())) > 1  # the adapters really differ, so a mix-up would show

    # All eight at once, several requests each: every answer is its model's own, with no error.
    jobs = [name for name in stack.names for _ in range(4)]
    with httpx.Client() as client, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda n: (n, chat(stack, n, stack.keys[n], client)), jobs))
    for name, resp in answers:
        assert resp.status_code == 200, resp.text
        served = resp.json()["tuneline"]
        if served["arm"] == "stable":
            assert resp.json()["choices"][0]["message"]["content"] == expected[name], name
        assert resp.json()["model"] == name

    # The canary takes its share of the first model's traffic (P(no canary in 200 at 10%) < 1e-9).
    with httpx.Client() as client, ThreadPoolExecutor(8) as pool:
        arms = Counter(
            r.headers["x-tuneline-arm"]
            for r in pool.map(lambda _: chat(stack, first, stack.keys[first], client, 1), range(200))
        )
    assert set(arms) == {"stable", "canary"} and arms["canary"] < arms["stable"], arms

    # Each key reaches its own model only.
    with httpx.Client() as client:
        for i, name in enumerate(stack.names):
            other = stack.names[(i + 1) % MODELS]
            refused = chat(stack, other, stack.keys[name], client, 1)
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "out_of_scope", refused.text
        unknown = chat(stack, "not-deployed", stack.keys[first], client, 1)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"

    # A key on three models gets its limit once, counted in PostgreSQL by the gateway: 7 requests at 3/minute meet
    # a 429 even when they straddle a minute boundary (at most 3 + 3 pass); per-model buckets passed all 7.
    three = stack.names[:3]
    body = {"name": "three-models", "models": three, "requests_per_minute": 3}
    limited = (await c.post("/models/keys", json=body, headers=eng)).json()["key"]
    with httpx.Client() as client:
        codes = [chat(stack, three[i % 3], limited, client, 1) for i in range(7)]
    refused = [r for r in codes if r.status_code == 429]
    assert refused and refused[0].json()["error"]["code"] == "rate_limited", [r.status_code for r in codes]
    assert {r.status_code for r in codes} == {200, 429} and int(refused[0].headers["retry-after"]) <= 60


async def test_a_model_on_a_base_with_no_room_is_refused_at_once_naming_the_fix(stack: Stack, tmp_path: Path) -> None:
    """A second base model needs a second pool: on 2 CPUs with one pool and the gateway there is no room, and the
    answer says what is missing and which setting fixes it (not Serve's scheduling wait, not a repr)."""
    from tuneline.registry.deployments.serve_controller import DeploymentFailed
    from tuneline.registry.serving.spec import AppSpec, BuildArgs

    current = list(stack.controller._applied.values())  # the models the first test deployed
    assert current, "runs after the eight-model test"
    other_base = stack.tiny.parent / "other-base"
    if not other_base.exists():
        other_base.symlink_to(stack.tiny, target_is_directory=True)
    extra = AppSpec(
        build=BuildArgs(model_name="other-base-model", base_model_path=str(other_base)),
        router=current[0].router,
        server=current[0].server,
        router_options=current[0].router_options,
        server_options=current[0].server_options.model_copy(update={"num_cpus": 1.5}),
    )
    with pytest.raises(DeploymentFailed) as refused:
        await asyncio.to_thread(stack.controller.apply, [*current, extra])
    detail = refused.value.detail
    assert "CPU" in detail and "TUNELINE_SERVE_POOL_NUM_CPUS" in detail and "new pools: pool-other-base" in detail
    assert "{" not in detail and "AppSpec(" not in detail
    assert set(await asyncio.to_thread(stack.controller.health)) == {a.name for a in current}  # nothing moved
