from pathlib import Path

import pytest

from tuneline.common.errors import Conflict
from tuneline.registry.deployments.artifacts import resolve_base_dir
from tuneline.registry.settings import RegistrySettings


def model_dir(path: Path, complete: bool = True) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}")
    if complete:
        (path / ".tuneline-complete").write_text("x")
    return path


def test_configured_mapping_wins(tmp_path: Path) -> None:
    mapped = model_dir(tmp_path / "mapped")
    assert resolve_base_dir("smollm2-135m-instruct", {"smollm2-135m-instruct": str(mapped)}, None) == str(mapped)


def test_a_local_model_directory_is_used_as_is(tmp_path: Path) -> None:
    direct = model_dir(tmp_path / "direct")
    assert resolve_base_dir(str(direct), {}, str(tmp_path / "cache")) == str(direct)


def test_a_reference_finds_the_completed_conversion_in_the_model_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    model_dir(cache / "smollm2-135m-instruct-aaaa", complete=False)  # a conversion still being written
    done = model_dir(cache / "smollm2-135m-instruct-bbbb")
    assert resolve_base_dir("SmolLM2-135M-Instruct", {}, str(cache)) == str(done)


def test_unknown_reference_is_refused_naming_it_and_the_cache(tmp_path: Path) -> None:
    with pytest.raises(Conflict, match="base model 'mystery-7b' has no local directory") as exc:
        resolve_base_dir("mystery-7b", {}, str(tmp_path))
    assert str(tmp_path) in str(exc.value)
    broken = tmp_path / "empty"
    broken.mkdir()
    with pytest.raises(Conflict, match="has no config"):
        resolve_base_dir("x", {"x": str(broken)}, None)


def test_one_model_cache_setting_reaches_the_registry_and_the_workers(tmp_path: Path, monkeypatch) -> None:
    done = model_dir(tmp_path / "cache" / "smollm2-135m-instruct-cccc")
    monkeypatch.setenv("TUNELINE_MODEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TUNELINE_MODEL_CACHE", str(tmp_path / "elsewhere"))  # the old second name is not read
    assert RegistrySettings().model_cache_dir == str(tmp_path / "cache")
    assert resolve_base_dir("smollm2-135m-instruct", {}, None) == str(done)
