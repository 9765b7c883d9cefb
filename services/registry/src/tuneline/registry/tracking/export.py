"""What MLflow's registry gets for a model version: a version of the registered model of the same name, whose
source is the adapter in the job's MLflow run (the object-store URI when the job was not logged), with the lineage
as tags. Pure."""

from __future__ import annotations

from tuneline.common.events import ModelRegistered
from tuneline.common.tracking import VersionExport
from tuneline.registry.models.tables import ModelRow, VersionRow

#: The adapter's artifact path in the job's run (tuneline.training.tracking.export.ADAPTER_PATH).
ADAPTER_PATH = "adapter"


def model_version(event: ModelRegistered, model: ModelRow, version: VersionRow) -> VersionExport:
    job_id = str(version.job_id) if version.job_id else None
    return VersionExport(
        model_name=event.name,
        usecase_id=str(event.usecase_id),
        key=("tuneline.version_id", str(version.id)),
        run_key=("tuneline.job_id", job_id or "none"),
        artifact_path=ADAPTER_PATH,
        fallback_source=version.adapter_uri or "",
        tags={
            "tuneline.usecase_id": str(event.usecase_id),
            "tuneline.model_id": str(model.id),
            "tuneline.version": str(version.version),
            "tuneline.stage": event.stage,
            "tuneline.job_id": job_id,
            "tuneline.evaluation_id": str(version.evaluation_id) if version.evaluation_id else None,
            "tuneline.dataset_version_id": str(version.dataset_version_id) if version.dataset_version_id else None,
            "tuneline.base_model": version.base_model,
            "tuneline.method": version.method,
            "tuneline.team": event.team or model.team,
            "tuneline.adapter_uri": version.adapter_uri,
        },
        description=f"Tuneline {model.task_type} model {event.name} version {version.version} on {model.base_model}",
    )
