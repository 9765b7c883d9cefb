"""Serving benchmark: Ray Serve overhead against direct generation, high concurrency, and adapter memory.

1. Latency and throughput at concurrency 1: the same base model + LoRA adapter and the same prompts, generated
   (a) directly in this process with the registry's AdapterEngine and (b) over HTTP through Ray Serve (proxy →
   router → model server), requests alternating between the two. Printed: p50/p95 latency, tokens/s and the
   Serve/direct ratios. Target: ≤15% overhead.
2. Batched decoding: tokens/s at concurrency 8 against concurrency 1 on one model (target ≥ 4×), and at
   concurrency 8 with the requests spread over 8 models (8 adapters on the one pool) against all on one model
   (target ≥ 0.8×).
3. Concurrency 32 through Ray Serve: error count (target 0) and throughput.
4. Models served at once: 8 models (8 adapters) deployed on one pool on the 2-CPU budget of the embedded stack
   (Ray started with num_cpus=2), every one answering in the same burst (target ≥ 8); the pool replica's
   resident memory with 8 models against 1 (target ≤ 1.2×).
5. Memory: resident memory added by 8 versions as adapters on one base vs as 8 merged full copies, each measured
   in a fresh child process so the figures do not mix.

    .venv/bin/python bench/bench_serving.py                       # SmolLM2-135M, ~3-4 minutes
    .venv/bin/python bench/bench_serving.py --model tiny          # tiny random Llama, under a minute
    .venv/bin/python bench/bench_serving.py --requests 50 --max-tokens 64 --concurrent 64

Ray workers run at nice 0 here (RAY_worker_niceness=0) so both sides compete equally for the shared CPUs.
Ray is started and shut down by the script; nothing is left running.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROMPTS = [
    "Pump 3 on line 2 shows vibration above 7 mm/s and rising bearing temperature. What is the likely fault?",
    "Conveyor belt B12 slipped twice during the night shift; motor current dropped by 20%. Summarise the issue.",
    "Hydraulic press 5 lost pressure after the seal replacement. Classify the maintenance ticket.",
    "The compressor in hall 4 trips on overcurrent every morning at start-up. Suggest a first check.",
]
PEPPER = "bench-pepper-" + "x" * 32
PORT = 8790


def main() -> None:
    args = _args()
    if args.memory_child:
        _memory_child(args)
        return
    os.environ.setdefault("RAY_worker_niceness", "0")
    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as tmp:
        base = _base_model(args.model, Path(tmp))
        adapters = _adapters(base, Path(tmp), 8)
        print(
            f"model: {args.model} ({base}); prompts: {len(PROMPTS)}; max_tokens: {args.max_tokens}; "
            f"torch threads: {args.threads}"
        )
        direct, served, concurrent, pool = _side_by_side(base, adapters, args, Path(tmp))
        _print_latency(direct, served)
        _print_batching(pool)
        _print_concurrency(concurrent, args.concurrent)
        _print_pool(pool)
        _print_memory(base, adapters, args)


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="smollm2-135m-instruct", help="'tiny', 'smollm2-135m-instruct' or a local dir")
    p.add_argument("--requests", type=int, default=24, help="requests per side at concurrency 1")
    p.add_argument("--max-tokens", type=int, default=32)
    p.add_argument("--threads", type=int, default=1, help="torch threads, same on both sides")
    p.add_argument("--concurrent", type=int, default=32)
    p.add_argument("--concurrent-requests", type=int, default=64)
    p.add_argument("--batch-requests", type=int, default=32, help="requests per concurrency-8 burst")
    p.add_argument("--memory-child", choices=["adapters", "merged"], help=argparse.SUPPRESS)
    p.add_argument("--base", help=argparse.SUPPRESS)
    p.add_argument("--adapter-dirs", help=argparse.SUPPRESS)
    return p.parse_args()


# ---- fixtures ---------------------------------------------------------------------------------------------------


def _base_model(model: str, tmp: Path) -> Path:
    from tuneline.common.base_models import resolve_base_model
    from tuneline.training.worker.base_models import build_tiny_model

    if model == "tiny":
        return build_tiny_model(tmp / "tiny")
    return resolve_base_model(model)


def _adapters(base: Path, tmp: Path, n: int) -> list[Path]:
    """n LoRA adapters (r=16 on all attention projections) with random weights, as a trained one would be sized."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base)
    config = LoraConfig(
        r=16, lora_alpha=32, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], init_lora_weights=False
    )
    peft_model = get_peft_model(model, config)
    out = []
    for i in range(n):
        torch.manual_seed(i)
        for name, param in peft_model.named_parameters():
            if "lora_" in name:
                torch.nn.init.normal_(param, std=0.01)
        path = tmp / f"adapter-{i}"
        peft_model.save_pretrained(path)
        out.append(path)
    return out


# ---- 1. direct vs Serve ----------------------------------------------------------------------------------------


def _side_by_side(
    base: Path, adapters: list[Path], args: argparse.Namespace, tmp: Path
) -> tuple[list[tuple[float, int]], list[tuple[float, int]], dict[str, Any], dict[str, Any]]:
    """Direct and Serve requests alternate (order swapped every round), so load from other processes on this
    shared machine hits both sides alike instead of skewing whichever ran during a busy spell."""
    import httpx

    from tuneline.registry.deployments.plan import TrafficPlan, VersionRef
    from tuneline.registry.deployments.serve_controller import ServeController
    from tuneline.registry.keys.domain import issue_key
    from tuneline.registry.serving.engine import AdapterEngine, GenerationParams
    from tuneline.registry.serving.spec import (
        AppSpec,
        BuildArgs,
        DeploymentOptions,
        KeySpec,
        RouterConfig,
        ServerConfig,
        SinkSpec,
    )

    adapter = adapters[0]
    names = ["bench"] + [f"bench-{i}" for i in range(1, len(adapters))]
    record, key = issue_key(
        name="bench",
        owner="bench",
        models=set(names),
        now=datetime.now(UTC),
        pepper=PEPPER.encode(),
        requests_per_minute=1_000_000,
    )

    def app(name: str, path: Path, vid: str) -> AppSpec:
        plan = TrafficPlan.initial(VersionRef(1, vid, str(path)))
        return AppSpec(
            build=BuildArgs(
                model_name=name,
                base_model_path=str(base),
                torch_threads=args.threads,
                sink=SinkSpec(kind="jsonl", path=str(tmp / "records.jsonl")),
                max_new_tokens=4096,
            ),
            router=RouterConfig(arms=plan.arms(), keys=[KeySpec.of(record)]),
            server=ServerConfig(warm=plan.warm()),
            router_options=DeploymentOptions(max_ongoing_requests=256, num_cpus=0.25),
            server_options=DeploymentOptions(max_ongoing_requests=256, num_cpus=1),
        )

    apps = [
        app(name, path, "v1" if i == 0 else f"v1-{i}")
        for i, (name, path) in enumerate(zip(names, adapters, strict=True))
    ]
    engine = AdapterEngine(str(base), torch_threads=args.threads)
    params = GenerationParams(max_new_tokens=args.max_tokens, temperature=0)
    encoded = [engine.encode_chat([{"role": "user", "content": p}]) for p in PROMPTS]
    controller = ServeController(PEPPER, ray_address="local", http_port=PORT)
    # The embedded stack's budget on this machine: two CPUs for everything Serve runs.
    controller.start(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        controller.apply(apps[:1])
        headers = {"Authorization": f"Bearer {key}"}

        def serve_call(i: int, client: httpx.Client, model: str = "bench") -> tuple[float, int, int]:
            body = {
                "model": model,
                "messages": [{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}],
                "max_tokens": args.max_tokens,
                "temperature": 0,
            }
            started = time.perf_counter()
            r = client.post(
                f"http://127.0.0.1:{PORT}/{model}/v1/chat/completions", json=body, headers=headers, timeout=600
            )
            elapsed = time.perf_counter() - started
            tokens = r.json()["usage"]["completion_tokens"] if r.status_code == 200 else 0
            return elapsed, tokens, r.status_code

        def direct_call(i: int) -> tuple[float, int]:
            started = time.perf_counter()
            out = engine.generate("v1", str(adapter), encoded[i % len(encoded)], params)
            return time.perf_counter() - started, out.tokens_out

        direct: list[tuple[float, int]] = []
        served: list[tuple[float, int]] = []
        with httpx.Client() as client:
            serve_call(0, client), direct_call(0)  # warm-up: adapter load, first-call allocations
            for i in range(args.requests):
                if i % 2:
                    direct.append(direct_call(i))
                    served.append(serve_call(i, client)[:2])
                else:
                    served.append(serve_call(i, client)[:2])
                    direct.append(direct_call(i))

        def burst(concurrency: int, n: int, models: list[str]) -> dict[str, Any]:
            with (
                httpx.Client(limits=httpx.Limits(max_connections=concurrency)) as client,
                ThreadPoolExecutor(concurrency) as pool,
            ):
                started = time.perf_counter()
                outcomes = list(pool.map(lambda i: serve_call(i, client, models[i % len(models)]), range(n)))
                wall = time.perf_counter() - started
            return {
                "errors": sum(1 for _, _, s in outcomes if s != 200),
                "statuses": sorted({s for _, _, s in outcomes}),
                "wall_s": wall,
                "tokens": sum(t for _, t, _ in outcomes),
                "latencies": [e for e, _, _ in outcomes],
                "n": len(outcomes),
                "answered": sorted({models[i % len(models)] for i, (_, _, s) in enumerate(outcomes) if s == 200}),
            }

        pool_figures: dict[str, Any] = {"c1": burst(1, args.batch_requests // 2, ["bench"])}
        pool_figures["c8_one"] = burst(8, args.batch_requests, ["bench"])
        # Measured after the same kind of traffic as with 8 models: batches' key/value caches count on both sides.
        pool_rss_one = _rss_mib(controller.server_status("bench")["pid"])
        controller.apply(apps)
        serve_call(0, httpx.Client(), names[-1])  # every adapter warm; the pool's replica is unchanged
        pool_figures["c8_spread"] = burst(8, args.batch_requests, names)
        pool_figures["rss_one"], pool_figures["rss_all"] = (
            pool_rss_one,
            _rss_mib(controller.server_status("bench")["pid"]),
        )
        pool_figures["models"] = len(names)
        concurrent = burst(args.concurrent, args.concurrent_requests, names)
        return direct, served, concurrent, pool_figures
    finally:
        controller.shutdown()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _print_latency(direct: list[tuple[float, int]], served: list[tuple[float, int]]) -> None:
    def stats(rows: list[tuple[float, int]]) -> tuple[float, float, float]:
        lat = [r[0] for r in rows]
        return _pct(lat, 0.5) * 1000, _pct(lat, 0.95) * 1000, sum(r[1] for r in rows) / sum(lat)

    d, s = stats(direct), stats(served)
    print("\n== concurrency 1: direct in-process vs through Ray Serve (same model, adapter, prompts)")
    print(f"{'':>14} {'p50 ms':>9} {'p95 ms':>9} {'tokens/s':>9}")
    print(f"{'direct':>14} {d[0]:9.1f} {d[1]:9.1f} {d[2]:9.1f}")
    print(f"{'ray serve':>14} {s[0]:9.1f} {s[1]:9.1f} {s[2]:9.1f}")
    print(f"{'serve/direct':>14} {s[0] / d[0]:9.3f} {s[1] / d[1]:9.3f} {s[2] / d[2]:9.3f}")
    overhead = s[0] / d[0] - 1
    print(f"p50 overhead {overhead:+.1%} (target ≤ +15%): {'met' if overhead <= 0.15 else 'NOT met'}")


def _rss_mib(pid: int) -> float:
    import psutil

    return float(psutil.Process(pid).memory_info().rss) / (1024 * 1024)


def _tps(c: dict[str, Any]) -> float:
    return float(c["tokens"]) / float(c["wall_s"])


def _print_batching(p: dict[str, Any]) -> None:
    c1, c8, spread = _tps(p["c1"]), _tps(p["c8_one"]), _tps(p["c8_spread"])
    print("\n== batched decoding through Ray Serve (one pool)")
    print(
        f"tokens/s concurrency 1: {c1:.1f}; concurrency 8: {c8:.1f}; "
        f"concurrency 8 over {p['models']} models: {spread:.1f}"
    )
    print(f"tokens/s concurrency 8 / concurrency 1: {c8 / c1:.2f}x (target ≥ 4x)")
    print(f"tokens/s 8 models / 1 model at concurrency 8: {spread / c8:.2f}x (target ≥ 0.8x)")
    print(f"errors: {p['c1']['errors'] + p['c8_one']['errors'] + p['c8_spread']['errors']}")


def _print_pool(p: dict[str, Any]) -> None:
    print(f"\n== one pool, {p['models']} models, Ray with 2 CPUs (the embedded stack's budget)")
    print(f"models served at once: {len(p['c8_spread']['answered'])}")
    print(f"pool replica memory (RSS): {p['rss_one']:.0f} MiB with 1 model, {p['rss_all']:.0f} MiB with {p['models']}")
    print(f"memory {p['models']} models / 1 model: {p['rss_all'] / p['rss_one']:.2f}x (target ≤ 1.2x)")


def _print_concurrency(c: dict[str, Any], concurrency: int) -> None:
    print(f"\n== concurrency {concurrency} through Ray Serve: {c['n']} requests")
    print(f"errors: {c['errors']} (statuses {c['statuses']}; target 0)")
    print(
        f"throughput: {c['n'] / c['wall_s']:.2f} req/s, {c['tokens'] / c['wall_s']:.1f} tokens/s; "
        f"latency p50 {_pct(c['latencies'], 0.5):.2f} s, p95 {_pct(c['latencies'], 0.95):.2f} s"
    )


# ---- 3. memory -------------------------------------------------------------------------------------------------


def _print_memory(base: Path, adapters: list[Path], args: argparse.Namespace) -> None:
    figures = {}
    for mode in ("adapters", "merged"):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--memory-child",
                mode,
                "--base",
                str(base),
                "--adapter-dirs",
                json.dumps([str(a) for a in adapters]),
                "--threads",
                str(args.threads),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        figures[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    a, m = figures["adapters"], figures["merged"]
    print(f"\n== memory with {len(adapters)} versions on one replica (RSS, MiB)")
    print(f"{'':>22} {'base':>8} {'+versions':>10} {'total':>8}")
    for label, f in (("adapters on one base", a), ("merged copies", m)):
        print(f"{label:>22} {f['base_mib']:8.0f} {f['added_mib']:10.0f} {f['total_mib']:8.0f}")
    print(
        f"merged/adapters total: {m['total_mib'] / a['total_mib']:.2f}x; "
        f"added per version: {a['added_mib'] / len(adapters):.1f} vs {m['added_mib'] / len(adapters):.1f} MiB"
    )


def _memory_child(args: argparse.Namespace) -> None:
    import gc

    import psutil

    from tuneline.registry.serving.engine import AdapterEngine, GenerationParams

    proc = psutil.Process()
    adapters = json.loads(args.adapter_dirs)
    engine = AdapterEngine(
        args.base, merge=args.memory_child == "merged", max_loaded=len(adapters), torch_threads=args.threads
    )
    prompt = engine.encode_text("warm up")
    engine.generate("base", None, prompt, GenerationParams(max_new_tokens=2, temperature=0))
    gc.collect()
    base_rss = proc.memory_info().rss
    for i, path in enumerate(adapters):
        engine.generate(f"v{i}", path, prompt, GenerationParams(max_new_tokens=2, temperature=0))
    gc.collect()
    total = proc.memory_info().rss
    assert len(engine.loaded) == len(adapters)
    mib = 1024 * 1024
    print(json.dumps({"base_mib": base_rss / mib, "added_mib": (total - base_rss) / mib, "total_mib": total / mib}))


if __name__ == "__main__":
    main()
