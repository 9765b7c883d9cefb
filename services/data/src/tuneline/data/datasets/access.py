"""Who may see or change a dataset.

- admin: everything.
- data_owner: creates datasets; changes and reads the contents of their own (and their team's) datasets.
- ml_engineer, reviewer, viewer, sre, service accounts: read metadata and reports of every dataset.
- Record contents (preview, sample) for people other than the owner depend on the use case's sensitivity:
  regulatory or proprietary data: never; personal data: only versions that were scanned and have no
  personal data left; otherwise allowed. Service accounts read contents (training needs the splits).
"""

from __future__ import annotations

from typing import Any

from tuneline.common.auth import Principal, Role
from tuneline.common.errors import Forbidden
from tuneline.data.datasets.tables import Dataset, DatasetVersion

READ_ROLES = (Role.DATA_OWNER, Role.ML_ENGINEER, Role.REVIEWER, Role.VIEWER, Role.SRE, Role.SERVICE)


def owns(user: Principal, dataset: Dataset) -> bool:
    if Role.ADMIN in user.roles:
        return True
    if not user.has(Role.DATA_OWNER):
        return False
    return dataset.owner == user.subject or (dataset.team is not None and dataset.team == user.team)


def ensure_can_read(user: Principal, dataset: Dataset) -> None:
    if owns(user, dataset):
        return
    if user.has(Role.ML_ENGINEER, Role.REVIEWER, Role.VIEWER, Role.SRE, Role.SERVICE):
        return
    raise Forbidden("you may only read datasets you own (or your team owns)")


def ensure_can_modify(user: Principal, dataset: Dataset) -> None:
    if not owns(user, dataset):
        raise Forbidden("only the dataset's data owner (or an admin) may change it")


def ensure_can_read_content(
    user: Principal, dataset: Dataset, sensitivity: dict[str, Any], version: DatasetVersion
) -> None:
    if owns(user, dataset) or user.has(Role.SERVICE):
        return
    ensure_can_read(user, dataset)
    if sensitivity.get("regulatory") or sensitivity.get("proprietary"):
        raise Forbidden("records of regulated or proprietary datasets are visible to their data owner only")
    if sensitivity.get("pii") and (version.pii_report is None or version.remaining_pii > 0):
        raise Forbidden("this version may contain personal data; only a redacted, clean version can be previewed")
