"""The events intake publishes, built from a use case's form and the decision taken on it."""

from __future__ import annotations

from uuid import UUID

from tuneline.common.events import (
    DataSensitivity,
    UseCaseApproved,
    UseCaseErased,
    UseCasePolicy,
    UseCaseRejected,
    UseCaseRetired,
    UseCaseSubmitted,
)
from tuneline.intake.form import ModelType, UseCaseForm

# The event catalogue spells multi-modal with a hyphen.
_MODEL_TYPE = {ModelType.MULTI_MODAL: "multi-modal"}


def submitted_event(
    usecase_id: UUID, form: UseCaseForm, *, submitted_by: str, producer: str, team: str | None = None
) -> UseCaseSubmitted:
    return UseCaseSubmitted(
        producer=producer,
        usecase_id=usecase_id,
        title=form.title,
        industry=form.industry,
        business_unit=form.business_unit,
        task_type=form.task_type.value,
        submitted_by=submitted_by,
        team=team,
    )


def approved_event(
    usecase_id: UUID,
    form: UseCaseForm,
    *,
    approved_by: str,
    producer: str,
    team: str | None = None,
    submitted_by: str | None = None,
) -> UseCaseApproved:
    policy = form.policy
    return UseCaseApproved(
        producer=producer,
        usecase_id=usecase_id,
        title=form.title,
        industry=form.industry,
        task_type=form.task_type.value,
        model_type=_MODEL_TYPE.get(form.model_type, form.model_type.value),
        base_model=form.candidate_base_model,
        method=form.fine_tuning_method.value,
        evaluation_metrics=list(form.evaluation_metrics),
        kpi_targets={k.name: k.target for o in form.objectives for k in o.kpis},
        sensitivity=DataSensitivity(
            pii=form.sensitivity.pii, regulatory=form.sensitivity.regulatory, proprietary=form.sensitivity.proprietary
        ),
        policy=UseCasePolicy(
            auto_train=policy.auto_train,
            training_preset=policy.training_preset.value,
            min_quality_score=policy.data_quality.min_quality_score,
            min_examples=policy.data_quality.min_examples,
            max_duplicate_ratio=policy.data_quality.max_duplicate_ratio,
            max_pii_ratio=policy.data_quality.max_pii_ratio,
            redaction=form.redaction.value,
            human_review_required=policy.human_review_required,
            auto_rollback=policy.auto_rollback,
            log_prompts=policy.log_prompts,
        ),
        labels=form.label_set,
        prompt_template=form.prompt_template,
        approved_by=approved_by,
        team=team,
        submitted_by=submitted_by,
    )


def rejected_event(usecase_id: UUID, *, reason: str, rejected_by: str, producer: str) -> UseCaseRejected:
    return UseCaseRejected(producer=producer, usecase_id=usecase_id, reason=reason, rejected_by=rejected_by)


def retired_event(usecase_id: UUID, *, reason: str, retired_by: str, team: str | None, producer: str) -> UseCaseRetired:
    return UseCaseRetired(producer=producer, usecase_id=usecase_id, reason=reason, retired_by=retired_by, team=team)


def erased_event(usecase_id: UUID, *, reason: str, erased_by: str, team: str | None, producer: str) -> UseCaseErased:
    return UseCaseErased(producer=producer, usecase_id=usecase_id, reason=reason, erased_by=erased_by, team=team)
