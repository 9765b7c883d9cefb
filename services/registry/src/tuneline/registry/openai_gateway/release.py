"""Where an OpenAI job's release stands: trained, evaluated, let through by the release gate, reviewed, served.

"succeeded" means the model answers. The steps that serve a version (on evaluation.completed, on a reviewer's
approval) cross domains and live in `tuneline.registry.orchestration`; this module reads where they got to.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.registry.deployments import repository as deployments_repo
from tuneline.registry.models import repository as models_repo
from tuneline.registry.models.lifecycle import needs_review, review_blockers
from tuneline.registry.models.tables import VersionRow
from tuneline.registry.openai_gateway import repository as repo
from tuneline.registry.openai_gateway.mapping import Release, ReleaseNote

SERVING = frozenset({"healthy", "degraded"})
PAST_SERVING = frozenset({"production", "deprecated", "archived"})


async def release_of(session: AsyncSession, training_job_id: UUID) -> Release:
    """Where the newest version trained by `training_job_id` stands, with the release steps taken so far."""
    found = await repo.newest_version_of_job(session, training_job_id)
    if found is None:
        return Release("evaluating")
    model, version = found
    name, label = model.name, f"{model.name} v{version.version}"
    evaluation = models_repo.evaluation_of(version)
    if evaluation is None or not evaluation.passed:
        reasons = evaluation.reasons if evaluation else ()
        blocked = ReleaseNote(version.created_at, "error", f"The release gate blocked {label}: " + "; ".join(reasons))
        return Release("blocked", name, reasons, (blocked,))
    notes = [ReleaseNote(version.created_at, "info", f"Evaluation passed; registered {label}")]
    reviews = models_repo.reviews_of(version)
    verdicts: dict[str, ReleaseNote] = {}
    for review in reviews:  # one verdict per reviewer
        verdict = "approved" if review.approved else "did not approve"
        comment = f": {review.comment}" if review.comment else ""
        level = "info" if review.approved else "error"
        verdicts[review.reviewer] = ReleaseNote(review.at, level, f"{review.reviewer} {verdict} {label}{comment}")
    notes.extend(verdicts.values())
    deployment = await deployments_repo.for_model(session, model.id)
    serves = deployment is not None and version.id in (deployment.stable_version_id, deployment.canary_version_id)
    if deployment is not None and serves and deployment.status == "failed":
        detail = deployment.detail or "deployment failed"
        notes.append(ReleaseNote(deployment.updated_at, "error", f"Serving {label} failed: {detail}"))
        return Release("failed", name, (detail,), tuple(notes))
    if deployment is not None and deployment.status in SERVING and (serves or version.stage in PAST_SERVING):
        # served, or served until a newer fine-tune replaced it
        notes.append(ReleaseNote(deployment.updated_at, "info", f"{label} serves as model {name!r}"))
        return Release("serving", name, (), tuple(notes))
    policy = models_repo.policy_of(model)
    missing = review_blockers(reviews, policy) if needs_review(policy.human_review_required, evaluation) else []
    if missing:
        against = [verdicts[r.reviewer].message for r in reviews if not r.approved]
        if against and len(reviews) >= policy.review_min_reviewers:  # enough reviewers, and they did not agree
            return Release("rejected", name, tuple(against), tuple(notes))
        reasons = (tuple(missing) if reviews else ()) + _review_reasons(version, name)  # none: the hint says it
        notes.append(ReleaseNote(version.created_at, "warn", "; ".join(reasons)))
        return Release("reviewing", name, reasons, tuple(notes))
    return Release("deploying", name, (), tuple(notes))


def _review_reasons(version: VersionRow, name: str) -> tuple[str, ...]:
    evaluation_id = (version.evaluation or {}).get("evaluation_id")
    return (
        f"version {version.version} of {name} waits for a human review (evaluation {evaluation_id}: the blind "
        f"side-by-side sample is at /evaluations/{evaluation_id}/review/items)",
        f"a reviewer approves it with POST /models/{name}/versions/{version.version}/review",
    )
