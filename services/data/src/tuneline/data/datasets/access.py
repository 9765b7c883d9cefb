"""Who may see or change a dataset (the team part is the platform's rule, `tuneline.common.access`).

- admin: everything.
- data_owner: creates datasets for use cases of their own team only (a dataset belongs to its use case's team);
  changes and reads the contents of their own (and their team's) datasets.
- ml_engineer, reviewer, viewer, sre: read metadata and reports of their team's datasets; service accounts (the
  platform's own machinery) of every dataset.
- Record contents (preview, sample) for people other than the owner depend on the use case's sensitivity:
  regulatory or proprietary data: never; personal data: only versions that were scanned and have no
  personal data left; otherwise allowed. Service accounts read contents (training needs the splits).
"""

from __future__ import annotations

from typing import Any

from tuneline.common import access
from tuneline.common.auth import Principal, Role
from tuneline.common.errors import AccessDenied
from tuneline.data.datasets.tables import Dataset, DatasetVersion
from tuneline.data.usecases.tables import DataUseCase

READ_ROLES = (Role.DATA_OWNER, Role.ML_ENGINEER, Role.REVIEWER, Role.VIEWER, Role.SRE, Role.SERVICE)


def owns(user: Principal, dataset: Dataset) -> bool:
    if Role.ADMIN in user.roles:
        return True
    if not user.has(Role.DATA_OWNER):
        return False
    return dataset.owner == user.subject or access.in_team(user, dataset.team, dataset.owner)


def ensure_can_add_data(user: Principal, usecase: DataUseCase) -> None:
    """Only the use case's team (its data owners) or an admin add data to it; a use case from before teams is its
    creator's alone."""
    access.ensure(
        user,
        roles=(Role.DATA_OWNER,),
        team=usecase.team,
        owner=usecase.owner,
        action="add data to",
        resource_type="usecase",
        resource_id=usecase.usecase_id,
    )


def ensure_can_read(user: Principal, dataset: Dataset) -> None:
    """A known role in the dataset's team (admins and service accounts cross teams; a dataset from before teams is
    its owner's)."""
    if owns(user, dataset):
        return
    access.ensure(
        user,
        roles=READ_ROLES,
        team=dataset.team,
        owner=dataset.owner,
        action="read",
        resource_type="dataset",
        resource_id=dataset.id,
    )


#: Who reads a dataset's audit trail besides its data owners (and admins).
AUDIT_READERS = (Role.REVIEWER, Role.SRE)


def ensure_can_read_audit(user: Principal, dataset: Dataset) -> None:
    if owns(user, dataset) or user.has(*AUDIT_READERS):
        return
    raise _denied(
        user,
        dataset,
        "read the audit trail of",
        "the audit trail is visible to the data owner, reviewers, SREs and admins",
    )


def ensure_can_modify(user: Principal, dataset: Dataset) -> None:
    if not owns(user, dataset):
        raise _denied(user, dataset, "change", "only the dataset's data owner (or an admin) may change it")


def ensure_can_read_content(
    user: Principal, dataset: Dataset, sensitivity: dict[str, Any], version: DatasetVersion
) -> None:
    if owns(user, dataset) or user.has(Role.SERVICE):
        return
    ensure_can_read(user, dataset)
    if sensitivity.get("regulatory") or sensitivity.get("proprietary"):
        raise _denied(
            user,
            dataset,
            "read records of",
            "records of regulated or proprietary datasets are visible to their data owner only",
        )
    if sensitivity.get("pii") and (version.pii_report is None or version.remaining_pii > 0):
        raise _denied(
            user,
            dataset,
            "read records of",
            "this version may contain personal data; only a redacted, clean version can be previewed",
        )


def _denied(user: Principal, dataset: Dataset, action: str, message: str) -> AccessDenied:
    """A refusal the app audits as access.denied (the message is the answer, as before)."""
    return AccessDenied(
        message, actor=user.subject, action=action, resource_type="dataset", resource_id=dataset.id, team=dataset.team
    )
