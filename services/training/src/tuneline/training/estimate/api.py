"""GET /presets: the presets and hyperparameter ranges, so a client shows what the service will accept."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Depends

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.auth import Principal, require_roles
from tuneline.training.estimate.hyperparameters import (
    AUTO,
    RANGES,
    SMALL_MODEL_MIN_SEQ_LEN,
    SMALL_MODEL_PARAMS,
    Hyperparameters,
)
from tuneline.training.estimate.presets import (
    DEFAULT_PRESET,
    PREFERRED_METHOD,
    PURPOSES,
    TITLES,
    Preset,
    preset_hyperparameters,
    preset_values,
)
from tuneline.training.estimate.schemas import HyperparameterSpec, PresetSpec, PresetsResponse

router = APIRouter(tags=["presets"])
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]


@router.get("/presets", summary="Presets, their hyperparameters and the ranges the service enforces")
async def list_presets(user: Member) -> PresetsResponse:
    return describe_presets()


def describe_presets() -> PresetsResponse:
    return PresetsResponse(
        default_preset=DEFAULT_PRESET,
        presets=[
            PresetSpec(
                name=preset,
                title=TITLES[preset],
                purpose=PURPOSES[preset],
                method=PREFERRED_METHOD[preset].value,
                values=preset_values(preset),
                hyperparameters=preset_hyperparameters(preset).model_dump(),
            )
            for preset in Preset
        ],
        hyperparameters=[_spec(name) for name in Hyperparameters.model_fields],
        small_model_params=SMALL_MODEL_PARAMS,
    )


def _spec(name: str) -> HyperparameterSpec:
    field = Hyperparameters.model_fields[name]
    kinds = get_args(field.annotation) or (field.annotation,)
    low, high = RANGES.get(name, (None, None))
    return HyperparameterSpec(
        name=name,
        title=field.title or name,
        description=field.description or "",
        type="integer" if int in kinds else "number" if float in kinds else "modules",
        default=field.default,
        minimum=low,
        maximum=high,
        minimum_small_model=SMALL_MODEL_MIN_SEQ_LEN if name == "max_seq_len" else None,
        auto=AUTO[name] if Literal["auto"] in kinds else None,
    )
