"""Real Ray Serve: two served models on the tiny random Llama, driven over HTTP and with the official client.

One Ray instance for the module (ray.init costs ~10 s and ~1 GB); torn down at the end.
"""

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import openai
import pytest
from scipy.stats import binom

from tuneline.registry.deployments.plan import TrafficPlan, VersionRef
from tuneline.registry.deployments.serve_controller import DeploymentFailed, ServeController
from tuneline.registry.keys.domain import ApiKey, issue_key
from tuneline.registry.serving.spec import (
    AppSpec,
    BuildArgs,
    DeploymentOptions,
    KeySpec,
    RouterConfig,
    ServerConfig,
    SinkSpec,
)

pytestmark = pytest.mark.slow

PEPPER = "test-pepper-" + "x" * 32
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
NOW = datetime.now(UTC)


@dataclass
class Served:
    controller: ServeController
    tiny: Path
    adapters: list[Path]
    records: Path
    keys: dict[str, str] = field(default_factory=dict)
    key_records: dict[str, ApiKey] = field(default_factory=dict)

    def ref(self, n: int) -> VersionRef:
        return VersionRef(n, f"vid-{n}", str(self.adapters[n - 1]))

    def app(self, name: str, plan: TrafficPlan, revoked: frozenset[str] = frozenset()) -> AppSpec:
        keys = [KeySpec.of(k) for k in self.key_records.values()]
        keys = [k.model_copy(update={"revoked": k.prefix in revoked}) for k in keys]
        return AppSpec(
            build=BuildArgs(
                model_name=name,
                base_model_path=str(self.tiny),
                torch_threads=1,
                sink=SinkSpec(kind="jsonl", path=str(self.records)),
            ),
            router=RouterConfig(arms=plan.arms(), keys=keys),
            server=ServerConfig(warm=plan.warm()),
            router_options=DeploymentOptions(num_cpus=0.25, max_ongoing_requests=64),
            server_options=DeploymentOptions(num_cpus=0.5, max_ongoing_requests=64),
        )

    def apply(self, plan: TrafficPlan, revoked: frozenset[str] = frozenset()) -> None:
        self.controller.apply([self.app("model-a", plan, revoked)])

    def client(self, key: str, model: str = "model-a") -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{BASE}/{model}/v1", api_key=key, max_retries=0)


@pytest.fixture(scope="module")
def served(
    registry_tiny_model: Path, registry_adapters: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    controller = ServeController(PEPPER, http_port=PORT)
    s = Served(
        controller, registry_tiny_model, registry_adapters, tmp_path_factory.mktemp("records") / "inference.jsonl"
    )
    for name, models, rpm, expires in [
        ("a", {"model-a"}, 100_000, None),
        ("b", {"model-b"}, 100_000, None),
        ("limited", {"model-a"}, 3, None),
        ("revoked", {"model-a"}, 100_000, None),
    ]:
        record, plaintext = issue_key(
            name=name,
            owner="t",
            models=models,
            now=NOW,
            pepper=PEPPER.encode(),
            requests_per_minute=rpm,
            expires_at=expires,
        )
        s.keys[name], s.key_records[name] = plaintext, record
    controller.start(num_cpus=4, include_dashboard=False, log_to_driver=False)
    try:
        s.apply(TrafficPlan.initial(s.ref(1)))
        yield s
    finally:
        controller.shutdown()


def post(path: str, key: str, body: dict, client: httpx.Client | None = None) -> httpx.Response:
    c = client or httpx
    return c.post(f"{BASE}{path}", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def chat_body(model: str = "model-a", **extra: object) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": "pump 4 overheating"}], "max_tokens": 1, **extra}


def test_official_client_reads_chat_completion_with_version_and_arm(served: Served) -> None:
    client = served.client(served.keys["a"])
    raw = client.chat.completions.with_raw_response.create(
        model="model-a",
        messages=[{"role": "user", "content": "bearing noise on line 2"}],
        max_tokens=5,
        temperature=0,
    )
    resp = raw.parse()
    assert resp.object == "chat.completion" and resp.model == "model-a"
    assert isinstance(resp.choices[0].message.content, str)
    assert resp.usage is not None and resp.usage.completion_tokens <= 5 and resp.usage.prompt_tokens > 0
    assert resp.model_extra is not None and resp.model_extra["tuneline"] == {
        "version": 1,
        "version_id": "vid-1",
        "arm": "stable",
    }
    assert raw.headers["x-tuneline-arm"] == "stable" and raw.headers["x-tuneline-version"] == "1"


def test_official_client_streams_the_same_text_as_a_plain_call(served: Served) -> None:
    client = served.client(served.keys["a"])
    args = {
        "model": "model-a",
        "messages": [{"role": "user", "content": "conveyor stopped"}],
        "max_tokens": 8,
        "temperature": 0,
    }
    whole = client.chat.completions.create(**args)
    chunks = list(client.chat.completions.create(stream=True, stream_options={"include_usage": True}, **args))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == whole.choices[0].finish_reason


def test_official_client_reads_completions_and_model_list(served: Served) -> None:
    client = served.client(served.keys["a"])
    comp = client.completions.create(model="model-a", prompt="valve", max_tokens=3, temperature=0)
    assert comp.object == "text_completion" and comp.usage is not None and comp.usage.completion_tokens <= 3
    streamed = "".join(
        c.choices[0].text
        for c in client.completions.create(model="model-a", prompt="valve", max_tokens=3, temperature=0, stream=True)
    )
    assert streamed == comp.choices[0].text
    assert [m.id for m in client.models.list()] == ["model-a"]


def test_key_scoped_to_another_model_is_refused_and_bad_requests_are_named(served: Served) -> None:
    with pytest.raises(openai.PermissionDeniedError, match="not allowed to call model 'model-a'"):
        served.client(served.keys["b"]).chat.completions.create(**chat_body())
    with pytest.raises(openai.AuthenticationError):
        served.client("tlk_aaaaaaaaaa_" + "z" * 43).chat.completions.create(**chat_body())
    missing = httpx.post(f"{BASE}/model-a/v1/chat/completions", json=chat_body(), timeout=30)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing"
    with pytest.raises(openai.NotFoundError, match="not served here"):
        served.client(served.keys["a"]).chat.completions.create(**chat_body("model-c"))
    bad = post("/model-a/v1/chat/completions", served.keys["a"], chat_body(temperature=5))
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "temperature"


def test_rate_limited_key_gets_429_with_retry_after(served: Served) -> None:
    codes = [
        post("/model-a/v1/completions", served.keys["limited"], {"model": "model-a", "prompt": "x", "max_tokens": 1})
        for _ in range(4)
    ]
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    assert int(codes[-1].headers["retry-after"]) == 20  # 3/min → a token every 20 s


def test_revoked_key_is_refused_after_reconfigure(served: Served) -> None:
    body = {"model": "model-a", "prompt": "x", "max_tokens": 1}
    assert post("/model-a/v1/completions", served.keys["revoked"], body).status_code == 200
    served.apply(TrafficPlan.initial(served.ref(1)), revoked=frozenset({served.key_records["revoked"].prefix}))
    refused = post("/model-a/v1/completions", served.keys["revoked"], body)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "revoked"


def test_expiring_key_works_until_its_expiry_then_is_refused(served: Served) -> None:
    body = {"model": "model-a", "prompt": "x", "max_tokens": 1}
    now = datetime.now(UTC)
    record, plaintext = issue_key(
        name="expiring",
        owner="t",
        models={"model-a"},
        now=now,
        pepper=PEPPER.encode(),
        expires_at=now + timedelta(seconds=5),
    )
    served.key_records["expiring"] = record
    served.apply(TrafficPlan.initial(served.ref(1)))
    assert post("/model-a/v1/completions", plaintext, body).status_code == 200
    time.sleep(max(0.0, (record.expires_at - datetime.now(UTC)).total_seconds()) + 0.2)  # type: ignore[operator]
    expired = post("/model-a/v1/completions", plaintext, body)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "expired"


def test_records_carry_version_arm_and_tokens_but_no_prompt_text(served: Served) -> None:
    secret_prompt = "customer Jane Roe reported pump 7 leaking"
    r = post(
        "/model-a/v1/chat/completions",
        served.keys["a"],
        {"model": "model-a", "messages": [{"role": "user", "content": secret_prompt}], "max_tokens": 2},
    )
    request_id = r.headers["x-tuneline-request-id"]
    deadline = time.monotonic() + 10
    found = None
    while found is None and time.monotonic() < deadline:
        text = served.records.read_text() if served.records.exists() else ""
        found = next((json.loads(x) for x in text.splitlines() if request_id in x), None)
        time.sleep(0.1)
    assert found is not None
    usage = r.json()["usage"]
    assert (found["model_name"], found["version"], found["arm"], found["status"]) == ("model-a", 1, "stable", "ok")
    assert (found["tokens_in"], found["tokens_out"]) == (usage["prompt_tokens"], usage["completion_tokens"])
    assert found["caller"] == served.key_records["a"].prefix and found["latency_ms"] > 0
    assert found["prompt"] is None and found["output"] is None
    assert found["prompt_chars"] == len(secret_prompt)
    assert "Jane Roe" not in served.records.read_text()


def test_canary_share_over_1000_requests_is_within_binomial_bounds(served: Served) -> None:
    weight, n = 0.2, 1000
    served.apply(TrafficPlan.initial(served.ref(1)).start_canary(served.ref(2), weight))
    with httpx.Client() as client, ThreadPoolExecutor(8) as pool:
        responses = list(
            pool.map(
                lambda _: post(
                    "/model-a/v1/completions",
                    served.keys["a"],
                    {"model": "model-a", "prompt": "x", "max_tokens": 1},
                    client,
                ),
                range(n),
            )
        )
    assert {r.status_code for r in responses} == {200}
    arms = Counter((r.headers["x-tuneline-arm"], r.headers["x-tuneline-version"]) for r in responses)
    # Two-sided bounds with a 1e-6 false-failure probability: [158, 245] for n=1000, p=0.2.
    low, high = binom.ppf(5e-7, n, weight), binom.isf(5e-7, n, weight)
    assert low <= arms[("canary", "2")] <= high, arms
    assert arms[("canary", "2")] + arms[("stable", "1")] == n


class Traffic:
    """Requests in a loop from a few threads while the test reconfigures; remembers every answer."""

    def __init__(self, key: str, threads: int = 4) -> None:
        self.key, self.stop = key, threading.Event()
        self.results: list[tuple[float, int, str, str]] = []  # (finished at, status, arm, version)
        self.threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        with httpx.Client() as client:
            while not self.stop.is_set():
                try:
                    r = post(
                        "/model-a/v1/completions",
                        self.key,
                        {"model": "model-a", "prompt": "x", "max_tokens": 1},
                        client,
                    )
                    self.results.append(
                        (
                            time.monotonic(),
                            r.status_code,
                            r.headers.get("x-tuneline-arm", ""),
                            r.headers.get("x-tuneline-version", ""),
                        )
                    )
                except httpx.HTTPError as exc:
                    self.results.append((time.monotonic(), 0, type(exc).__name__, ""))

    def __enter__(self) -> "Traffic":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    def versions_after(self, moment: float) -> set[str]:
        return {v for at, _, _, v in self.results if at > moment}


def test_weight_change_promotion_and_rollback_under_load_fail_no_request(served: Served) -> None:
    start = TrafficPlan.initial(served.ref(1)).start_canary(served.ref(2), 0.1)
    served.apply(start)
    replicas_before = (
        served.controller.router_info("model-a")["pid"],
        served.controller.server_status("model-a")["pid"],
    )
    with Traffic(served.keys["a"]) as traffic:
        time.sleep(1.0)
        served.apply(start.set_canary_weight(0.5))
        time.sleep(1.0)
        promoted = start.set_canary_weight(0.5).promote()
        served.apply(promoted)
        after_promotion = time.monotonic() + 0.5  # replies in flight at the switch may still carry v1
        time.sleep(2.0)
        rollback_started = time.monotonic()
        rolled_back, moved_from, moved_to = promoted.rollback()
        served.apply(rolled_back)
        after_rollback = time.monotonic() + 0.5
        time.sleep(2.0)
    statuses = Counter(status for _, status, _, _ in traffic.results)
    assert statuses == {200: len(traffic.results)}, statuses
    assert len(traffic.results) > 50
    promoted_window = {v for at, _, _, v in traffic.results if after_promotion < at < rollback_started}
    assert promoted_window == {"2"}
    assert traffic.versions_after(after_rollback) == {"1"}
    assert (moved_from.version, moved_to.version) == (2, 1)
    replicas_after = (
        served.controller.router_info("model-a")["pid"],
        served.controller.server_status("model-a")["pid"],
    )
    assert replicas_after == replicas_before  # reconfigured in place: no replica was restarted


def test_version_that_fails_to_load_is_reported_and_the_previous_keeps_serving(served: Served, tmp_path: Path) -> None:
    stable = TrafficPlan.initial(served.ref(1))
    served.apply(stable)
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    (broken_dir / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 4, "target_modules": ["nope"]}')
    broken = VersionRef(3, "vid-broken", str(broken_dir))
    with Traffic(served.keys["a"], threads=2) as traffic, pytest.raises(DeploymentFailed, match="vid-broken"):
        served.apply(stable.start_canary(broken, 0.5))
    assert {s for _, s, _, _ in traffic.results} == {200}
    assert {v for _, _, _, v in traffic.results} == {"1"}
    assert served.controller.router_arms("model-a") == [a.model_dump() for a in stable.arms()]


def test_classify_applies_the_answering_versions_template_and_refuses_a_version_without_one(served: Served) -> None:
    from tuneline.common.records import PromptTemplate

    template = PromptTemplate(instruction="Route this ticket.", labels=["billing", "shipping"], input_name="Ticket")
    with_template = VersionRef(1, "vid-1", str(served.adapters[0]), prompt_template=template.model_dump())
    served.apply(TrafficPlan.initial(with_template))
    try:
        answer = post("/model-a/v1/classify", served.keys["a"], {"model": "model-a", "input": "Where is my parcel?"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["object"] == "classification" and body["labels"] == ["billing", "shipping"]
        assert body["label"] in ("billing", "shipping", None) and isinstance(body["output"], str)
        assert body["tuneline"] == {"version": 1, "version_id": "vid-1", "arm": "stable"}
        # the same greedy answer a client gets by sending the template the card states as the user message
        chat = served.client(served.keys["a"]).chat.completions.create(
            model="model-a",
            messages=[{"role": "user", "content": template.render("Where is my parcel?")}],
            max_tokens=32,
            temperature=0,
        )
        assert chat.choices[0].message.content == body["output"]
    finally:
        served.apply(TrafficPlan.initial(served.ref(1)))
    refused = post("/model-a/v1/classify", served.keys["a"], {"model": "model-a", "input": "Where is my parcel?"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_prompt_template"
