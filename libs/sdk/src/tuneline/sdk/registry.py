"""Client of the registry service (/models) and of the OpenAI-compatible inference endpoint (/<model>/v1)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from tuneline.sdk._base import Model, Resource, parse_list


class RegisteredModel(Model):
    id: UUID
    name: str
    usecase_id: UUID | None = None
    base_model: str = ""
    task_type: str = ""
    owner: str = ""
    aliases: dict[str, int] = {}
    production_version: int | None = None
    latest_version: int | None = None
    created_at: datetime


class ModelVersion(Model):
    id: UUID
    version: int
    stage: str
    base_model: str = ""
    adapter_uri: str | None = None
    method: str = ""
    job_id: UUID | None = None
    dataset_version_id: UUID | None = None
    evaluation_id: UUID | None = None
    evaluation: dict[str, Any] | None = None
    review: dict[str, Any] | None = None
    prompt_template: dict[str, Any] | None = None  # what /v1/classify applies; the card states it
    created_at: datetime


class ModelExport(Model):
    """A version as a deployable artifact (merged safetensors, GGUF, PEFT adapter) and how its check went."""

    id: UUID
    model: str
    version: int
    format: str
    quantization: str | None = None
    status: str  # queued, running, completed, failed, erased
    reason: str | None = None
    attempts: int = 0
    size_bytes: int | None = None
    sha256: str | None = None
    files: list[dict[str, Any]] = []
    verification: dict[str, Any] | None = None  # per prompt: matched, token agreement, ...
    details: dict[str, Any] = {}
    download: str | None = None
    created_at: datetime
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed", "erased")


class Deployment(Model):
    model: str
    deployment_id: UUID
    status: str
    detail: str | None = None
    endpoint: str | None = None
    stable_version: int | None = None
    canary_version: int | None = None
    canary_weight: float = 0.0
    previous_version: int | None = None
    updated_at: datetime
    health: dict[str, Any] | None = None


class ApiKey(Model):
    prefix: str
    name: str
    owner: str = ""
    models: list[str] = []
    fine_tuning_roles: list[str] = []
    usecase_id: str | None = None  # a fine-tuning key bound to one use case
    requests_per_minute: int = 0
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    key: str | None = None  # the secret itself, only in the answer that created it


class ChatCompletion(Model):
    id: str
    model: str
    choices: list[dict[str, Any]]
    usage: dict[str, Any] = {}
    tuneline: dict[str, Any] | None = None  # which version and canary arm answered

    @property
    def text(self) -> str:
        message = self.choices[0].get("message", {}) if self.choices else {}
        return str(message.get("content", ""))


class RegistryClient(Resource):
    def models(self, *, usecase_id: UUID | str | None = None, limit: int | None = None) -> list[RegisteredModel]:
        """Registered models (those of one use case when `usecase_id` is given)."""
        found = self._offset_pages(RegisteredModel, "/models", page_size=100, limit=limit)
        return [m for m in found if usecase_id is None or str(m.usecase_id) == str(usecase_id)]

    def model(self, name: str) -> RegisteredModel:
        return self._get(RegisteredModel, f"/models/{name}")

    def versions(self, name: str) -> list[ModelVersion]:
        return parse_list(ModelVersion, self.http.request("GET", f"/models/{name}/versions"))

    def version(self, name: str, version: int) -> ModelVersion:
        return self._get(ModelVersion, f"/models/{name}/versions/{version}")

    def lineage(self, name: str, version: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("GET", f"/models/{name}/versions/{version}/lineage")
        return answer

    def set_policy(self, name: str, **policy: bool | int | float) -> RegisteredModel:
        """human_review_required, review_min_reviewers, review_min_agreement, auto_rollback, log_prompts (drift checks
        need logged prompts). Admin only."""
        return RegisteredModel.model_validate(self.http.request("PATCH", f"/models/{name}/policy", json=policy))

    def card(self, name: str, version: int) -> str:
        """The Hugging Face model card (README.md) of a version."""
        return str(self.http.request("GET", f"/models/{name}/versions/{version}/card"))

    def promote(self, name: str, version: int, stage: str, reason: str = "") -> ModelVersion:
        """Move a version to another lifecycle stage (evaluation, staging, production, deprecated, archived)."""
        return self._post(
            ModelVersion, f"/models/{name}/versions/{version}/transition", {"stage": stage, "reason": reason}
        )

    def review(self, name: str, version: int, approved: bool, comment: str = "") -> ModelVersion:
        body = {"approved": approved, "comment": comment}
        return self._post(ModelVersion, f"/models/{name}/versions/{version}/review", body)

    def export_formats(self) -> dict[str, Any]:
        """The export formats and the GGUF quantizations the registry writes."""
        answer: dict[str, Any] = self.http.request("GET", "/models/exports/formats")
        return answer

    def export(self, name: str, version: int, format: str, quantization: str | None = None) -> ModelExport:
        """Ask for an export ("merged", "gguf", "adapter"; GGUF takes a quantization such as "Q8_0"). Asking again
        for the same one returns it; a failed one is tried again."""
        body: dict[str, Any] = {"format": format}
        if quantization is not None:
            body["quantization"] = quantization
        return self._post(ModelExport, f"/models/{name}/versions/{version}/exports", body)

    def exports(self, name: str, version: int) -> list[ModelExport]:
        return parse_list(ModelExport, self.http.request("GET", f"/models/{name}/versions/{version}/exports"))

    def get_export(self, name: str, version: int, export_id: UUID | str) -> ModelExport:
        return self._get(ModelExport, f"/models/{name}/versions/{version}/exports/{export_id}")

    def wait_for_export(
        self,
        name: str,
        version: int,
        export_id: UUID | str,
        *,
        timeout_s: float = 3600.0,
        poll_s: float = 2.0,
        on_update: Callable[[ModelExport], None] | None = None,
    ) -> ModelExport:
        """Poll until the export is completed, failed or erased."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.get_export(name, version, export_id)
            if on_update is not None:
                on_update(found)
            if found.finished:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"export {export_id} still {found.status} after {timeout_s:.0f}s")
            time.sleep(poll_s)

    def download_export(
        self, name: str, version: int, export_id: UUID | str, target: str | Path, *, file: str | None = None
    ) -> Path:
        """Stream a completed export into `target` (a file, or a directory to put it in under the server's name):
        the GGUF file, a tar of a merged or adapter export, or with `file` one file of it."""
        path = f"/models/{name}/versions/{version}/exports/{export_id}/download"
        target = Path(target)
        if target.is_dir():
            found = self.get_export(name, version, export_id)
            target = target / _download_name(found, file)
        self.http.download(path, target, params={"file": file})
        return target

    def deployment(self, name: str) -> Deployment:
        return self._get(Deployment, f"/models/{name}/deployment")

    def deploy(self, name: str, version: int, canary_weight: float | None = None) -> Deployment:
        """Serve a version: all traffic for a first deployment, else a canary taking `canary_weight` of it."""
        body: dict[str, Any] = {"version": version}
        if canary_weight is not None:
            body["canary_weight"] = canary_weight
        return self._post(Deployment, f"/models/{name}/deployment", body)

    def set_canary_weight(self, name: str, weight: float) -> Deployment:
        body = self.http.request("PUT", f"/models/{name}/deployment/weight", json={"canary_weight": weight})
        return Deployment.model_validate(body)

    def promote_canary(self, name: str) -> Deployment:
        """The canary takes all traffic (and becomes the production version)."""
        return self._post(Deployment, f"/models/{name}/deployment/promote")

    def rollback(self, name: str, reason: str) -> Deployment:
        return self._post(Deployment, f"/models/{name}/deployment/rollback", {"reason": reason})

    def undeploy(self, name: str) -> Deployment:
        return Deployment.model_validate(self.http.request("DELETE", f"/models/{name}/deployment"))

    def create_key(
        self,
        name: str,
        models: list[str],
        requests_per_minute: int = 600,
        *,
        fine_tuning: bool = False,
        usecase_id: str | None = None,
    ) -> ApiKey:
        """A scoped inference key; its secret (`.key`) is in this answer only. With `fine_tuning` it also drives
        the OpenAI-compatible fine-tuning API as you, and the models it fine-tunes join its scope; `usecase_id` binds
        such a key to one use case (no OpenAI-Project header needed, and no other use case reachable)."""
        body: dict[str, Any] = {
            "name": name,
            "models": models,
            "requests_per_minute": requests_per_minute,
            "fine_tuning": fine_tuning,
        }
        if usecase_id is not None:
            body["usecase_id"] = usecase_id
        return self._post(ApiKey, "/models/keys", body)

    def keys(self, *, model: str | None = None) -> list[ApiKey]:
        return parse_list(ApiKey, self.http.request("GET", "/models/keys", params={"model": model}))

    def revoke_key(self, prefix: str) -> ApiKey:
        return ApiKey.model_validate(self.http.request("DELETE", f"/models/keys/{prefix}"))


def _download_name(export: ModelExport, file: str | None) -> str:
    if file is not None:
        return file.rsplit("/", 1)[-1]
    if export.format == "gguf" and export.files:
        return str(export.files[0]["path"])
    return f"{export.model}-v{export.version}-{export.format}.tar"


class InferenceClient(Resource):
    """The OpenAI-compatible endpoint of one deployed model, authenticated with a model-scoped API key.

    The base URL is the deployment's `endpoint` (…/<model>/v1); the official `openai` client works on it too.
    """

    def chat(self, model: str, messages: list[dict[str, str]], **params: Any) -> ChatCompletion:
        body = {"model": model, "messages": messages, **params}
        return self._post(ChatCompletion, "/chat/completions", body)

    def classify(self, model: str, text: str) -> dict[str, Any]:
        """The label for one raw input (``label``, ``output``, ``labels``): the serving version applies the prompt
        template its model card states, so the caller sends only the input."""
        answer: dict[str, Any] = self.http.request("POST", "/classify", json={"model": model, "input": text})
        return answer

    def models(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self.http.request("GET", "/models")["data"]
        return answer
