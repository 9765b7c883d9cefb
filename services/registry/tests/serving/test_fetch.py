"""Artifacts by URI on the replica's node: fetched from real S3 (SeaweedFS) into a node-local cache and checked
against pinned sha256 digests; a local directory is read in place and checked the same way. A base model's pins
come from its manifest when it has one."""

import asyncio
import shutil
from pathlib import Path

import pytest

from tuneline.common.artifacts import MANIFEST, build_manifest, upload_with_manifest
from tuneline.common.storage import S3ObjectStore, upload_dir
from tuneline.registry.deployments.artifacts import adapter_ref, base_model_ref
from tuneline.registry.serving.fetch import ArtifactError, digest_dir, fetch_dir
from tuneline.registry.serving.loading import ModelNotFound, resolve_adapter_dir
from tuneline.registry.serving.spec import StoreSpec


def adapter(directory: Path, weights: bytes = b"lora weights") -> Path:
    directory.mkdir(parents=True)
    (directory / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 4}')
    (directory / "adapter_model.safetensors").write_bytes(weights)
    return directory


@pytest.mark.unit
def test_a_local_directory_is_read_in_place_when_its_files_match_the_pins(tmp_path: Path) -> None:
    src = adapter(tmp_path / "a")
    assert fetch_dir(src.as_uri(), digest_dir(src), None, None) == str(src)


@pytest.mark.unit
def test_a_changed_or_missing_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    src = adapter(tmp_path / "a")
    pins = digest_dir(src)
    (src / "adapter_model.safetensors").write_bytes(b"tampered")
    with pytest.raises(ArtifactError, match=r"adapter_model\.safetensors has sha256"):
        fetch_dir(str(src), pins, None, None)
    (src / "adapter_model.safetensors").unlink()
    with pytest.raises(ModelNotFound, match=r"adapter_model\.safetensors is missing"):
        resolve_adapter_dir(str(src), None, None, pins)


@pytest.mark.unit
def test_a_path_that_is_not_on_this_node_is_refused_with_what_to_use_instead(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="use an object-store URI or a volume every node mounts"):
        fetch_dir(str(tmp_path / "elsewhere"), {}, None, None)


@pytest.mark.unit
def test_a_remote_uri_without_pins_is_never_downloaded(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no sha256 digests were pinned"):
        fetch_dir("s3://bucket/jobs/x/adapter", {}, object(), str(tmp_path))


@pytest.mark.integration
def test_replica_fetches_an_adapter_from_s3_by_uri_into_its_node_cache_and_checks_it(s3_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = StoreSpec(
        url="s3://tuneline-serving-test",
        endpoint=s3_server.endpoint,
        access_key=s3_server.access_key,
        secret_key=s3_server.secret_key,
        secure=False,
    )
    store = spec.open()
    assert isinstance(store, S3ObjectStore)
    src = adapter(tmp_path / "trained")
    asyncio.run(upload_dir(store, src, "jobs/j1/adapter"))
    uri = store.uri("jobs/j1/adapter")
    # The registry pins digests from its own read; the replica's node has nothing of it yet.
    ref = asyncio.run(adapter_ref(uri, store, str(tmp_path / "registry-cache")))
    assert ref.uri == uri and ref.sha256 == digest_dir(src)
    shutil.rmtree(src)
    node_cache = tmp_path / "node-cache"
    local = resolve_adapter_dir(uri, str(node_cache), spec.open(), ref.sha256)
    assert Path(local).parent == node_cache and digest_dir(Path(local)) == ref.sha256
    assert resolve_adapter_dir(uri, str(node_cache), spec.open(), ref.sha256) == local  # cached
    # A pin that does not match what the store holds (an object overwritten after review) is refused.
    wrong = {**ref.sha256, "adapter_model.safetensors": "0" * 64}
    with pytest.raises(ModelNotFound, match=r"adapter_model\.safetensors has sha256"):
        resolve_adapter_dir(uri, str(node_cache), spec.open(), wrong)
    # nothing half-written left (each fetch's lock file stays: removing one under a waiting process would race)
    assert sorted(p.name for p in node_cache.iterdir() if not p.name.endswith(".lock")) == [Path(local).name]


def base_model(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "config.json").write_text('{"model_type": "llama"}')
    (directory / "model.safetensors").write_bytes(b"base weights")
    return directory


@pytest.mark.integration
def test_a_base_model_with_a_manifest_is_pinned_from_it_without_the_registry_downloading_it(
    s3_server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    spec = StoreSpec(
        url="s3://tuneline-serving-test",
        endpoint=s3_server.endpoint,
        access_key=s3_server.access_key,
        secret_key=s3_server.secret_key,
        secure=False,
    )
    store = spec.open()
    assert isinstance(store, S3ObjectStore)
    models = store.in_bucket("tuneline-serving-models")  # uploaded once, outside the platform's bucket
    src = base_model(tmp_path / "smollm2")
    asyncio.run(upload_with_manifest(models, src, "models/smollm2"))
    uri = models.uri("models/smollm2")
    registry_cache = tmp_path / "registry-cache"
    ref = asyncio.run(base_model_ref("smollm2", {"smollm2": uri}, None, store, str(registry_cache)))
    assert ref.uri == uri and ref.sha256 == digest_dir(src)
    assert not registry_cache.exists()  # the manifest said it all
    # The replica fetches it by URI into its node's cache and checks it against those pins.
    node_cache = tmp_path / "node-cache"
    local = fetch_dir(uri, ref.sha256, spec.open(), str(node_cache))
    assert digest_dir(Path(local)) == ref.sha256
    # Without a manifest the registry reads the model once itself, as before.
    asyncio.run(upload_dir(models, src, "models/plain"))
    plain = asyncio.run(base_model_ref(models.uri("models/plain"), {}, None, store, str(registry_cache)))
    assert plain.sha256 == digest_dir(src) and any(registry_cache.iterdir())


@pytest.mark.unit
def test_a_local_base_model_directory_with_a_manifest_is_pinned_from_it(tmp_path: Path) -> None:
    src = base_model(tmp_path / "shared" / "smollm2")
    (src / MANIFEST).write_bytes(build_manifest(src).to_json())
    ref = asyncio.run(base_model_ref(src.as_uri(), {}, None, None, str(tmp_path / "cache")))  # type: ignore[arg-type]
    assert ref.uri == str(src) and ref.sha256 == digest_dir(src)
    (src / MANIFEST).unlink()
    assert asyncio.run(base_model_ref(str(src), {}, None, None, str(tmp_path / "cache"))).sha256 == {}  # type: ignore[arg-type]
