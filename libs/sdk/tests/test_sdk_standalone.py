"""The SDK is a small client: `pip install tuneline-sdk` brings httpx and pydantic only, and `import tuneline.sdk`
loads nothing of the server stack (the CLI and its embedded stack are the `cli` extra)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from uv import find_uv_bin

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SDK = ROOT / "libs" / "sdk"
# What the SDK's code truly needs; anything more is the server stack creeping in.
SDK_DEPENDENCIES = {"httpx", "pydantic"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def base_requirements(dist: str) -> list[Requirement]:
    """A distribution's requirements without extras, for this interpreter."""
    reqs = [Requirement(r) for r in importlib.metadata.requires(dist) or []]
    return [r for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]


def closure(dist: str) -> set[str]:
    seen: set[str] = set()
    todo = [dist]
    while todo:
        name = normalise(todo.pop())
        if name not in seen:
            seen.add(name)
            todo.extend(r.name for r in base_requirements(name))
    return seen


def test_sdk_declares_only_httpx_and_pydantic() -> None:
    assert {normalise(r.name) for r in base_requirements("tuneline-sdk")} == SDK_DEPENDENCIES


def optional_imports(dists: set[str]) -> set[str]:
    """What these distributions may import when it happens to be installed (their extras), e.g. httpx's CLI."""
    return {normalise(Requirement(r).name) for d in dists for r in importlib.metadata.requires(d) or []}


def test_importing_the_sdk_loads_only_its_declared_dependencies() -> None:
    probe = (
        "import json, sys; before = set(sys.modules); import tuneline.sdk; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    modules = json.loads(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    )
    ours = sorted(m for m in modules if m.startswith("tuneline.") and not m.startswith("tuneline.sdk"))
    assert not ours, f"tuneline.sdk imports other tuneline packages: {ours}"
    sdk = closure("tuneline-sdk")
    allowed = sdk | optional_imports(sdk)
    owners = importlib.metadata.packages_distributions()
    foreign = {}
    for top in {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) - {"tuneline"}:
        dists = {normalise(d) for d in owners.get(top, [])}
        if dists and not dists & allowed:
            foreign[top] = sorted(dists)
    assert not foreign, f"tuneline.sdk imports modules of packages it does not declare: {foreign}"


def test_sdk_installs_and_imports_alone_in_a_fresh_venv(tmp_path: Path) -> None:
    """The wheel built from libs/sdk, at the locked versions of its dependencies, and nothing else."""
    uv = find_uv_bin()
    constraints = tmp_path / "constraints.txt"
    exported = subprocess.run(
        [uv, "export", "--frozen", "--format", "requirements-txt", "--no-hashes", "--no-emit-workspace"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    constraints.write_text(exported)
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, capture_output=True)
    install = subprocess.run(
        [uv, "pip", "install", "--python", str(python), "--constraints", str(constraints), str(SDK)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    listed = subprocess.run(
        [uv, "pip", "list", "--python", str(python), "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    names = {normalise(p["name"]) for p in json.loads(listed)}
    assert "tuneline-common" not in names and names <= closure("tuneline-sdk"), sorted(names)
    probe = (
        "import importlib.util, tuneline.sdk; from tuneline.sdk import Tuneline; "
        "assert importlib.util.find_spec('tuneline.common') is None; print(Tuneline.__name__)"
    )
    run = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "Tuneline", run.stderr
