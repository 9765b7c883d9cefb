"""The cluster path on a real multi-node Ray cluster started on this machine: a head and a worker node as separate
`ray start` processes, each with its own temp directory and its own node-local model cache (TUNELINE_MODEL_CACHE_DIR
in the environment its raylet passes on to its Ray workers). The worker node carries a custom resource that the
training settings and the registry's pool settings require, so the training task and the serving replicas run
there and the head (the registry's node) holds none of them.

Two adapters are trained there as Ray tasks from a base model given by its s3:// URI, the registry deploys the first,
then the second, serves both through the gateway's `/v1/chat/completions`, and rolls back. No file passes between
the nodes except through the object store (real S3: SeaweedFS): the worker node's cache gets the base model and the
adapters, the head's cache stays empty, and every artifact the registry hands Ray Serve is a URI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psutil
import pytest
import ray

from tuneline.common.artifacts import upload_with_manifest
from tuneline.common.events import EVALUATION_COMPLETED, EvaluationCompleted
from tuneline.common.infra import free_port_block
from tuneline.common.messaging import publish_now
from tuneline.common.storage import S3ObjectStore, store_from_url
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app

pytestmark = pytest.mark.e2e

RESOURCE = "tuneline_worker"
PROMPT = [{"role": "user", "content": "pump 4 overheating on line 2"}]


@dataclass
class Cluster:
    address: str
    root: Path
    head_cache: Path
    worker_cache: Path
    nodes: list[subprocess.Popen[bytes]]


def _ray_start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    ray = str(Path(sys.executable).with_name("ray"))
    with log.open("wb") as out:
        # --block keeps `ray start` in the foreground, owning its node's processes; a session of its own lets the
        # finalizer stop exactly this node's process group and nobody else's Ray.
        return subprocess.Popen(
            [ray, "start", "--block", "--disable-usage-stats", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Default niceness for the node (the test may run niced): the raylet gives its agents about 20 s to
            # start, which a niced Python on a busy machine missed.
            preexec_fn=lambda: os.setpriority(os.PRIO_PROCESS, 0, 0),
        )


def _node_ports(base: int) -> list[str]:
    names = [
        "node-manager-port",
        "object-manager-port",
        "dashboard-agent-listen-port",
        "dashboard-agent-grpc-port",
        "metrics-export-port",
        "runtime-env-agent-port",
    ]
    return [f"--{name}={base + i}" for i, name in enumerate(names)]


def _stop(cluster_root: Path, nodes: list[subprocess.Popen[bytes]]) -> None:
    """Ends this cluster's processes only: the `ray start` sessions, then any Ray process whose command line names
    this cluster's temp directories (workers that left their session). No `ray stop`: it stops every Ray here."""
    for node in reversed(nodes):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.pid, 15)
    for node in nodes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            node.wait(timeout=8)
    mine = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if any(str(cluster_root) in part for part in proc.info["cmdline"] or []):
                mine.append(proc)
    for proc in mine:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(mine, timeout=10)


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    # Short paths: Ray's unix sockets live under the temp dir and a socket path may not exceed 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="tlray-"))
    head_cache, worker_cache = root / "head-cache", root / "worker-cache"
    head_cache.mkdir()
    worker_cache.mkdir()
    # Ray workers run at nice 15 by default and would crawl on a shared machine; sources come from PYTHONPATH.
    # Ray's token authentication off for this loopback-only test cluster: its default keeps the token in the
    # ~/.ray/auth_token that every other Ray instance on this machine shares, and this cluster must not touch it.
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    base_env = {
        **os.environ,
        "RAY_worker_niceness": "0",
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        # Serve gives a starting proxy 5 s to answer, then kills it; a new Ray worker process on a machine busy
        # with other tests can take longer than that to import Ray.
        "RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S": "60",
        "RAY_SERVE_PROXY_HEALTH_CHECK_TIMEOUT_S": "30",
        # The raylet waits for its agents' port files and its workers' registration: slow Python starts on a busy
        # machine made it give up (and the node with it).
        "RAY_raylet_start_wait_time_s": "120",
        "RAY_agent_register_timeout_ms": "120000",
        "RAY_worker_register_timeout_seconds": "120",
    }
    nodes: list[subprocess.Popen[bytes]] = []
    address = ""
    try:
        # On a machine busy with other tests a node can miss Ray's fixed 30 s to register with the GCS, and then
        # `ray start` gives up: such a node is stopped and started again, with fresh ports and temp directory.
        for attempt in range(3):
            ports = free_port_block(8)
            address = f"127.0.0.1:{ports}"
            head = _ray_start(
                [
                    "--head",
                    "--node-ip-address=127.0.0.1",
                    f"--port={ports}",
                    f"--ray-client-server-port={ports + 1}",
                    "--include-dashboard=false",
                    "--num-cpus=0",  # nothing that reserves a CPU (replicas, training) can be placed here
                    "--num-gpus=0",
                    f"--temp-dir={root / f'head-tmp-{attempt}'}",
                    *_node_ports(ports + 2),
                ],
                {**base_env, "TUNELINE_MODEL_CACHE_DIR": str(head_cache)},
                root / f"head-{attempt}.log",
            )
            nodes.append(head)
            if _started(root / f"head-{attempt}.log", head):
                break
            _stop(root / f"head-tmp-{attempt}", [head])
        else:
            raise AssertionError(f"the Ray head did not start:\n{_logs(root)}")
        for attempt in range(3):
            ports = free_port_block(6)
            worker = _ray_start(
                [
                    f"--address={address}",
                    "--node-ip-address=127.0.0.1",
                    "--num-cpus=2",
                    "--num-gpus=0",
                    f"--resources={json.dumps({RESOURCE: 4})}",
                    f"--temp-dir={root / f'worker-tmp-{attempt}'}",
                    *_node_ports(ports),
                ],
                {**base_env, "TUNELINE_MODEL_CACHE_DIR": str(worker_cache)},
                root / f"worker-{attempt}.log",
            )
            nodes.append(worker)
            if _joined(address, 2, worker, root):
                break
            _stop(root / f"worker-tmp-{attempt}", [worker])
        else:
            raise AssertionError(f"the Ray worker node did not join:\n{_logs(root)}")
        yield Cluster(address, root, head_cache, worker_cache, nodes)
    finally:
        ray.shutdown()
        _stop(root, nodes)
        shutil.rmtree(root, ignore_errors=True)


def _logs(root: Path) -> str:
    return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-2000:] for p in sorted(root.glob("*.log")))


def _started(log: Path, node: subprocess.Popen[bytes]) -> bool:
    """Whether `ray start` says its head runs (False: it gave up)."""
    deadline = time.monotonic() + 120
    while "Ray runtime started" not in log.read_text(errors="replace"):
        if node.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def _joined(address: str, count: int, node: subprocess.Popen[bytes], root: Path) -> bool:
    """Connect this process (the registry's and the training worker's driver) to the head, and wait until `count`
    nodes live (False: the node's `ray start` gave up)."""
    deadline = time.monotonic() + 180
    last: object = None
    while time.monotonic() < deadline:
        try:
            if not ray.is_initialized():
                ray.init(address=address, log_to_driver=False)
            last = sum(1 for n in ray.nodes() if n["Alive"])
            if last == count:
                return True
        except (ConnectionError, RuntimeError) as exc:  # the head's GCS is not answering yet
            last = exc
        if node.poll() is not None:
            return False
        time.sleep(0.5)
    raise AssertionError(f"Ray cluster did not reach {count} nodes: {last}\n{_logs(root)}")


def _files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


@pytest.fixture
async def bucket(s3_server) -> AsyncIterator[S3ObjectStore]:  # type: ignore[no-untyped-def]
    store = store_from_url(
        f"s3://tl-cluster-{secrets.token_hex(4)}",
        endpoint=s3_server.endpoint,
        access_key=s3_server.access_key,
        secret_key=s3_server.secret_key,
        secure=False,
    )
    assert isinstance(store, S3ObjectStore)
    yield store


async def train_on_the_cluster(
    runner: Any, bucket: S3ObjectStore, s3: Any, base_uri: str, seed: int
) -> tuple[str, dict[str, Any]]:
    """One training job as a Ray task: (adapter URI, the node the task ran on)."""
    from tuneline.training.worker.execute import ExecutionSpec

    job_id = f"job-{seed}-{uuid4().hex[:6]}"
    rows = [{"prompt": f"unit {i} status", "completion": "ok" if (i + seed) % 2 else "fault"} for i in range(16)]
    await bucket.put(f"datasets/{job_id}/train.jsonl", "".join(json.dumps(r) + "\n" for r in rows).encode())
    spec = ExecutionSpec(
        job_id=job_id,
        recipe={
            "base_model": base_uri,
            "max_steps": 4,
            "batch_size": 4,
            "learning_rate": 5e-3,
            "seed": seed,
            "precision": "fp32",
            "torch_threads": 1,
            "checkpoint_every_steps": 2,
            "progress_interval_s": 0,
        },
        split_uris={"train": bucket.uri(f"datasets/{job_id}/train.jsonl")},
        output_prefix=f"jobs/{job_id}",
        # a path only the worker's host has: the task must work in a scratch directory of its own node instead
        workdir=f"/nonexistent-driver-workdir/{job_id}",
        store={
            "url": bucket.base_uri,
            "endpoint": s3.endpoint,
            "access_key": s3.access_key,
            "secret_key": s3.secret_key,
            "secure": False,
        },
    )
    handle = await runner.start(spec)
    messages = await asyncio.wait_for(_collect(handle), timeout=300)
    code, error = await handle.outcome()
    assert code == 0, error
    assert [m["step"] for m in messages if m["type"] == "checkpoint"] == [2, 4]  # uploaded from the worker node
    result = messages[-1]
    assert result["type"] == "result" and result["status"] == "completed", result
    assert result["adapter_uri"].startswith("s3://")
    return result["adapter_uri"], handle.placement


async def _collect(handle: Any) -> list[dict[str, Any]]:
    return [message async for message in handle.messages()]


async def test_a_model_trains_serves_and_rolls_back_on_worker_nodes_sharing_nothing_but_the_object_store(
    cluster: Cluster,
    bucket: S3ObjectStore,
    s3_server: Any,
    make_settings: Any,
    fresh_database_url: str,
    tmp_path: Path,
) -> None:
    from tuneline.registry.app import create_app, default_runtime
    from tuneline.registry.settings import RegistrySettings
    from tuneline.training.settings import TrainingSettings
    from tuneline.training.worker.base_models import build_tiny_model
    from tuneline.training.worker.runners import RayRunner, choose_runner

    started = time.monotonic()
    tiny = build_tiny_model(tmp_path / "tiny")
    await upload_with_manifest(bucket, tiny, "models/tiny")
    base_uri = bucket.uri("models/tiny")
    shutil.rmtree(tiny)  # from here on the base model exists only in the object store

    s3 = {
        "object_store_url": bucket.base_uri,
        "s3_endpoint": s3_server.endpoint,
        "s3_access_key": s3_server.access_key,
        "s3_secret_key": s3_server.secret_key,
        "s3_secure": False,
    }
    training = make_settings(
        TrainingSettings,
        ray_address=cluster.address,
        training_ray_resources=json.dumps({RESOURCE: 1}),
        model_cache_dir=None,  # each node's own (its raylet's TUNELINE_MODEL_CACHE_DIR)
        **s3,
    )
    runtime = None
    runner = choose_runner(training)
    assert isinstance(runner, RayRunner)
    assert runner.resources == {RESOURCE: 1.0} and runner.num_gpus == 0.0  # "auto" on a cluster without GPUs
    try:
        nodes = {n["NodeID"]: n for n in ray.nodes() if n["Alive"]}
        (worker_node,) = [nid for nid, n in nodes.items() if n["Resources"].get(RESOURCE)]
        assert len(nodes) == 2 and nodes[worker_node]["Resources"].get("CPU") == 2

        # 1. Two adapters trained as Ray tasks, both placed on the worker node.
        v1_uri, placed1 = await train_on_the_cluster(runner, bucket, s3_server, base_uri, seed=1)
        v2_uri, placed2 = await train_on_the_cluster(runner, bucket, s3_server, base_uri, seed=2)
        assert placed1["node_id"] == worker_node and placed2["node_id"] == worker_node
        assert any(p.name == "config.json" for p in _files(cluster.worker_cache))  # the base model, fetched there
        trained_s = time.monotonic() - started
        print(f"cluster test: two adapters trained on the worker node {trained_s:.0f} s after the start")

        # 2. The registry on the head's side deploys, serves and rolls back; pool replicas need the resource too.
        port = free_port_block(1)
        settings = make_settings(
            RegistrySettings,
            database_url=fresh_database_url,
            ray_address=cluster.address,
            serve_http_port=port,
            serve_proxy_location="HeadOnly",  # two nodes on one machine cannot both bind the proxy's port
            serve_pool_resources=json.dumps({RESOURCE: 1}),
            serve_torch_threads=1,
            serve_apply_timeout_s=600,  # a new replica imports torch and loads the model on a busy machine
            adapter_cache_dir=str(tmp_path / "registry-cache"),
            model_cache_dir=str(tmp_path / "registry-models"),
            inference_sink="log",
            **s3,
        )
        runtime = default_runtime(settings)
        app = create_app(settings, runtime=runtime)
        async with running_app(app) as client:
            eng = bearer(settings, "ml_engineer", subject="eng-1")
            usecase = uuid4()
            for uri in (v1_uri, v2_uri):
                event = EvaluationCompleted(
                    producer="evaluation",
                    usecase_id=usecase,
                    evaluation_id=uuid4(),
                    job_id=uuid4(),
                    dataset_version_id=uuid4(),
                    task_type="classification",
                    base_model=base_uri,
                    adapter_uri=uri,
                    passed=True,
                    reasons=["accuracy 0.97 >= 0.9"],
                    metrics_base={"accuracy": 0.1},
                    metrics_tuned={"accuracy": 0.97},
                    forgetting={"general_perplexity_ratio": 1.0},
                    hyperparameters={"learning_rate": 0.005, "lora_r": 8},
                    team=TEST_TEAM,
                )
                await publish_now(app.state.tuneline.broker, EVALUATION_COMPLETED, event)
            name = f"classification-{usecase.hex[:8]}"

            async def two_versions() -> bool | None:
                r = await client.get(f"/models/{name}/versions", headers=eng)
                return True if r.status_code == 200 and len(r.json()) >= 2 else None

            await eventually(two_versions, timeout_s=60, what="two versions registered")
            r = await client.post(f"/models/{name}/deployment", json={"version": 1}, headers=eng)
            assert r.status_code == 200 and r.json()["status"] == "healthy", r.text
            key = await client.post("/models/keys", json={"name": "cluster", "models": [name]}, headers=eng)
            assert key.status_code == 201, key.text
            headers = {"Authorization": f"Bearer {key.json()['key']}"}

            def chat() -> dict[str, Any]:
                body = {"model": name, "messages": PROMPT, "max_tokens": 4, "temperature": 0}
                resp = httpx.post(
                    f"{settings.serve_url()}/{name}/v1/chat/completions", json=body, headers=headers, timeout=120
                )
                assert resp.status_code == 200, resp.text
                answer: dict[str, Any] = resp.json()
                return answer

            first = await asyncio.to_thread(chat)
            assert first["tuneline"]["version"] == 1 and first["choices"][0]["message"]["content"] is not None

            # version 2 takes all traffic at once (blue-green); the rollback brings version 1 back
            r = await client.post(f"/models/{name}/deployment/blue-green", json={"version": 2}, headers=eng)
            assert r.status_code == 200 and r.json()["stable_version"] == 2, r.text
            assert (await asyncio.to_thread(chat))["tuneline"]["version"] == 2

            r = await client.post(
                f"/models/{name}/deployment/rollback", json={"reason": "test"}, headers=bearer(settings, "sre")
            )
            assert r.status_code == 200 and r.json()["stable_version"] == 1, r.text
            back = await asyncio.to_thread(chat)
            assert back["tuneline"]["version"] == 1
            assert back["choices"] == first["choices"]  # the same adapter again, greedy: the same answer

            # Where things ran: the pool replica and the gateway in Ray worker processes of the worker node (their
            # environment is that node's raylet's), never on the head.
            controller = runtime._controller
            status = await asyncio.to_thread(controller.server_status, name)
            gateway = await asyncio.to_thread(controller.router_info, name)
            for pid in (status["pid"], gateway["pid"]):
                assert psutil.Process(pid).environ().get("TUNELINE_MODEL_CACHE_DIR") == str(cluster.worker_cache)
            assert status["loaded"]  # version 1 serves again (what left the warm list was unloaded)

            # Only URIs crossed: every artifact in the applied spec is an s3:// URI, never a path of this machine.
            (spec,) = controller._applied.values()
            assert spec.build.base_model_path == base_uri and spec.build.adapter_cache_dir is None
            assert {w.adapter_uri for w in spec.server.warm} == {v1_uri}  # after the rollback only v1 serves
            assert v2_uri.startswith("s3://")
            assert all(w.sha256 for w in spec.server.warm)  # pinned: the replica checks what it fetched
    finally:
        if runtime is not None:
            await runtime.close()  # Serve's applications off the cluster (the app's lifespan may have done it)

    # The worker node's cache holds the base model (fetched by training, and by the replica under serving/) and the
    # adapter serving now (a version that stopped serving is deleted from replicas' disks); the head's holds nothing.
    serving = cluster.worker_cache / "serving"
    assert any(p.name == "config.json" for p in _files(serving))
    assert any(p.name == "adapter_config.json" for p in _files(serving))
    assert _files(cluster.head_cache) == []
    print(f"cluster test: trained in {trained_s:.0f} s, all in {time.monotonic() - started:.0f} s")
