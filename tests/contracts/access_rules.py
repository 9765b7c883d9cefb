"""Who may call every route of every service: the declarations `test_authorization_matrix.py` checks.

Adding a route? Add its row to its service's table below (the matrix fails naming every route without one, and
every row whose route is gone). A row says:

- `roles`: who may call it besides admins (admin holds every role). `PUBLIC`: no token at all (health, metrics,
  the OpenAPI documents); `ANY_TOKEN`: any valid token, no role checked by the route (say why in `note`).
- `team`: True when the route acts on an object of a team (a use case, dataset, job, evaluation, key, ...): another
  team's caller is refused (`other_team`, 403 unless the service hides existence with 404), a caller with no team
  too, and an admin of any team passes. False for team-less actions: creating what has no team yet, listings (they
  filter by team rather than refuse), estimates, platform operations.
- `owner_only`: the action is the object's creator's (a use case's submitter edits it, a key's owner revokes it):
  the allowed calls act as that creator.
- `body`: an example request that passes validation, so a 422 does not hide the authorisation answer. An allowed
  call may still answer 404, 409 or 422 for reasons other than access; the matrix only asks that it is not 401/403.

The rule itself is `tuneline.common.access` (docs/security.md, "The rule: role x team").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tuneline.common.access import KNOWN_ROLES
from tuneline.common.auth import Role

PUBLIC = "public"
ANY_TOKEN = "any token"

#: The ids of the objects a service's matrix seeded (team "alpha"), by path parameter name.
Ids = Mapping[str, str]
Request = dict[str, Any]  # keyword arguments of httpx's request: json, content, files, data, params


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] | str
    team: bool = False
    other_team: int = 403
    owner_only: bool = False
    body: Callable[[Ids], Request] | None = None
    note: str = field(default="", compare=False)

    @property
    def public(self) -> bool:
        return self.roles == PUBLIC

    def allows(self, role: Role | None) -> bool:
        """Whether a caller holding only `role` (None: a role Tuneline does not know) passes the role part."""
        if self.roles in (PUBLIC, ANY_TOKEN):
            return True
        assert isinstance(self.roles, frozenset)
        return role is Role.ADMIN or role in self.roles


def roles(*allowed: Role) -> frozenset[Role]:
    return frozenset(allowed)


MEMBERS = frozenset(KNOWN_ROLES)  # any role Tuneline knows (admin too)
WRITERS = MEMBERS - {Role.VIEWER}  # intake: anyone but a pure viewer drafts and comments
ADMIN_ONLY: frozenset[Role] = frozenset()


def public(note: str = "") -> Rule:
    return Rule(PUBLIC, note=note)


def _json(body: Callable[[Ids], Any]) -> Callable[[Ids], Request]:
    return lambda ids: {"json": body(ids)}


# ------------------------------------------------------------------------------------------------ every service

#: What the application factory (`tuneline.common.app.create_service_app`) gives every service.
COMMON: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): public("the API description"),
    ("GET", "/docs"): public(),
    ("GET", "/docs/oauth2-redirect"): public(),
    ("GET", "/redoc"): public(),
    ("GET", "/healthz"): public("liveness probe"),
    ("GET", "/readyz"): public("readiness probe"),
    ("GET", "/metrics"): public("Prometheus scrape"),
    ("GET", "/admin/deadletters"): Rule(ADMIN_ONLY),
    ("POST", "/admin/deadletters/{letter_id}/replay"): Rule(ADMIN_ONLY),
    ("POST", "/admin/deadletters/replay"): Rule(ADMIN_ONLY),
    ("POST", "/auth/dev-token"): Rule(
        PUBLIC,
        body=_json(lambda ids: {"subject": "matrix", "roles": ["viewer"]}),
        note="development and test only, loopback callers only; absent in production",
    ),
}

# ----------------------------------------------------------------------------------------------------- intake

_REASON = _json(lambda ids: {"reason": "the matrix asks"})

INTAKE: dict[tuple[str, str], Rule] = {
    ("POST", "/usecases"): Rule(WRITERS, body=_json(lambda ids: {"title": "Matrix use case"})),
    ("GET", "/usecases"): Rule(MEMBERS),
    ("GET", "/usecases/dashboard"): Rule(MEMBERS),
    ("GET", "/usecases/{usecase_id}"): Rule(MEMBERS, team=True),
    ("PATCH", "/usecases/{usecase_id}"): Rule(
        WRITERS, team=True, owner_only=True, body=_json(lambda ids: {"business_unit": "Matrix"})
    ),
    ("POST", "/usecases/{usecase_id}/submit"): Rule(WRITERS, team=True, owner_only=True),
    ("POST", "/usecases/{usecase_id}/start-review"): Rule(roles(Role.REVIEWER), team=True),
    ("POST", "/usecases/{usecase_id}/approve"): Rule(roles(Role.REVIEWER), team=True),
    ("POST", "/usecases/{usecase_id}/reject"): Rule(roles(Role.REVIEWER), team=True, body=_REASON),
    ("POST", "/usecases/{usecase_id}/request-changes"): Rule(roles(Role.REVIEWER), team=True, body=_REASON),
    ("POST", "/usecases/{usecase_id}/retire"): Rule(roles(Role.ML_ENGINEER, Role.SERVICE), team=True, body=_REASON),
    ("PUT", "/usecases/{usecase_id}/rice"): Rule(roles(Role.REVIEWER), team=True, body=_json(lambda ids: {})),
    ("POST", "/usecases/{usecase_id}/comments"): Rule(
        WRITERS, team=True, body=_json(lambda ids: {"body": "looks right"})
    ),
    ("GET", "/usecases/{usecase_id}/comments"): Rule(MEMBERS, team=True),
    ("GET", "/usecases/{usecase_id}/timeline"): Rule(MEMBERS, team=True),
    ("GET", "/usecases/{usecase_id}/history"): Rule(MEMBERS, team=True),
}

# ------------------------------------------------------------------------------------------------------- data

_OWNER = roles(Role.DATA_OWNER)
_D = "/datasets/{dataset_id}"
_V = "/datasets/{dataset_id}/versions/{number}"
_U = "/datasets/{dataset_id}/uploads/{upload_id}"

DATA: dict[tuple[str, str], Rule] = {
    ("POST", "/datasets"): Rule(
        _OWNER,
        team=True,  # the use case's team
        body=_json(lambda ids: {"usecase_id": ids["usecase_id"], "name": "matrix"}),
    ),
    ("GET", "/datasets"): Rule(MEMBERS),
    ("GET", _D): Rule(MEMBERS, team=True),
    ("POST", f"{_D}/versions"): Rule(
        _OWNER,
        team=True,
        body=lambda ids: {"files": {"file": ("more.jsonl", b'{"prompt": "a", "completion": "b"}\n')}},
    ),
    ("POST", f"{_D}/uploads"): Rule(_OWNER, team=True, body=_json(lambda ids: {"filename": "part.jsonl"})),
    ("PUT", f"{_U}/parts/{{number}}"): Rule(_OWNER, team=True, body=lambda ids: {"content": b'{"text": "x"}\n'}),
    ("GET", _U): Rule(_OWNER, team=True),
    ("POST", f"{_U}/complete"): Rule(_OWNER, team=True),
    ("DELETE", _U): Rule(_OWNER, team=True),
    ("GET", f"{_D}/versions"): Rule(MEMBERS, team=True),
    ("GET", _V): Rule(MEMBERS, team=True),
    ("GET", f"{_V}/report"): Rule(MEMBERS, team=True),
    ("GET", f"{_V}/pii"): Rule(MEMBERS, team=True),
    ("GET", f"{_V}/splits"): Rule(MEMBERS, team=True),
    ("GET", f"{_V}/lineage"): Rule(MEMBERS, team=True),
    ("GET", f"{_V}/preview"): Rule(MEMBERS, team=True, note="records: the seeded use case is not sensitive"),
    ("GET", f"{_V}/sample"): Rule(MEMBERS, team=True, note="records: the seeded use case is not sensitive"),
    ("POST", f"{_V}/redact"): Rule(_OWNER, team=True, body=_json(lambda ids: {"mode": "replace"})),
    ("POST", f"{_V}/dedup"): Rule(_OWNER, team=True),
    ("POST", f"{_V}/labels"): Rule(
        _OWNER, team=True, body=_json(lambda ids: {"labels": [{"index": 0, "label": "electrical"}]})
    ),
    ("POST", f"{_V}/split"): Rule(_OWNER, team=True, body=_json(lambda ids: {"ratios": "80/20"})),
    ("POST", f"{_D}/rollback"): Rule(_OWNER, team=True, body=_json(lambda ids: {"to_version": 1})),
    ("GET", f"{_D}/audit"): Rule(roles(Role.DATA_OWNER, Role.REVIEWER, Role.SRE), team=True),
}

# --------------------------------------------------------------------------------------------------- training

_ENGINEER = roles(Role.ML_ENGINEER)

TRAINING: dict[tuple[str, str], Rule] = {
    ("POST", "/jobs"): Rule(
        _ENGINEER,
        team=True,  # the dataset version's use case's team
        body=_json(lambda ids: {"dataset_version_id": ids["dataset_version_id"]}),
    ),
    ("POST", "/jobs/estimate"): Rule(
        MEMBERS, body=_json(lambda ids: {"train_records": 100, "mean_tokens_per_record": 40})
    ),
    ("GET", "/jobs"): Rule(MEMBERS),
    ("GET", "/jobs/{job_id}"): Rule(MEMBERS, team=True),
    ("POST", "/jobs/{job_id}/cancel"): Rule(_ENGINEER, team=True),
    ("POST", "/jobs/{job_id}/pause"): Rule(_ENGINEER, team=True),
    ("POST", "/jobs/{job_id}/resume"): Rule(_ENGINEER, team=True),
    ("GET", "/jobs/{job_id}/metrics"): Rule(MEMBERS, team=True),
    ("GET", "/jobs/{job_id}/logs"): Rule(MEMBERS, team=True),
    ("GET", "/jobs/{job_id}/stream"): Rule(MEMBERS, team=True, note="the seeded job is finished: the stream ends"),
    ("POST", "/studies"): Rule(
        _ENGINEER,
        team=True,  # the dataset version's use case's team, as for a job
        body=_json(
            lambda ids: {
                "dataset_version_id": ids["dataset_version_id"],
                "search_space": {"learning_rate": {"low": 1e-4, "high": 1e-3}},
                "n_trials": 1,
            }
        ),
    ),
    ("GET", "/studies"): Rule(MEMBERS),
    ("GET", "/studies/{study_id}"): Rule(MEMBERS, team=True),
    ("POST", "/studies/{study_id}/cancel"): Rule(_ENGINEER, team=True, note="the seeded study is cancelled: a 409"),
    ("GET", "/presets"): Rule(MEMBERS, note="the service's presets and ranges, the same for every team"),
}

# ------------------------------------------------------------------------------------------------- evaluation

_E = "/evaluations/{evaluation_id}"

EVALUATION: dict[tuple[str, str], Rule] = {
    ("GET", "/evaluations"): Rule(MEMBERS),
    ("GET", _E): Rule(MEMBERS, team=True),
    ("GET", f"{_E}/report"): Rule(MEMBERS, team=True, note="records: the seeded use case is not sensitive"),
    ("GET", f"{_E}/review/items"): Rule(roles(Role.REVIEWER), team=True),
    ("POST", f"{_E}/review/ratings"): Rule(
        roles(Role.REVIEWER),
        team=True,
        body=_json(
            lambda ids: {
                "item_id": "r0",
                "side": "A",
                "relevance": 4,
                "correctness": 4,
                "style_match": 4,
                "helpfulness": 4,
                "safe": True,
            }
        ),
    ),
    ("GET", f"{_E}/review"): Rule(MEMBERS, team=True),
}

# --------------------------------------------------------------------------------------------------- registry

_M = "/models/{name}"
_MV = "/models/{name}/versions/{version}"
_FT = "/v1/fine_tuning/jobs/{job_id}"
_GATEWAY = "the OpenAI gateway identifies the caller (token or fine-tuning key) and calls the other services with it"
_SERVED = "the deployment's router authenticates the inference key; the gateway only routes"
_VERSION = _json(lambda ids: {"version": 1})
_LISTING = "shows the caller's team's only"

REGISTRY: dict[tuple[str, str], Rule] = {
    ("POST", "/models/keys"): Rule(
        _ENGINEER,
        team=True,  # the team of the models the key names
        body=_json(lambda ids: {"name": "matrix", "models": [ids["name"]]}),
    ),
    ("GET", "/models/keys"): Rule(_ENGINEER, note="the caller's own keys (an admin: everyone's)"),
    ("GET", "/models/keys/sync"): Rule(roles(Role.SRE)),
    ("DELETE", "/models/keys/{prefix}"): Rule(_ENGINEER, team=True, owner_only=True),
    ("GET", f"{_M}/deployment"): Rule(MEMBERS, team=True),
    ("POST", f"{_M}/deployment"): Rule(_ENGINEER, team=True, body=_VERSION),
    ("PUT", f"{_M}/deployment/weight"): Rule(_ENGINEER, team=True, body=_json(lambda ids: {"canary_weight": 0.1})),
    ("POST", f"{_M}/deployment/promote"): Rule(_ENGINEER, team=True),
    ("POST", f"{_M}/deployment/rollback"): Rule(
        roles(Role.ML_ENGINEER, Role.SRE), team=True, body=_json(lambda ids: {"reason": "the matrix asks"})
    ),
    ("POST", f"{_M}/deployment/blue-green"): Rule(_ENGINEER, team=True, body=_VERSION),
    ("DELETE", f"{_M}/deployment"): Rule(roles(Role.ML_ENGINEER, Role.SRE), team=True),
    ("GET", "/models"): Rule(MEMBERS, note=_LISTING),
    ("GET", _M): Rule(MEMBERS, team=True),
    ("GET", f"{_M}/versions"): Rule(MEMBERS, team=True),
    ("GET", _MV): Rule(MEMBERS, team=True),
    ("GET", f"{_MV}/lineage"): Rule(MEMBERS, team=True),
    ("POST", f"{_MV}/transition"): Rule(_ENGINEER, team=True, body=_json(lambda ids: {"stage": "staging"})),
    ("POST", f"{_MV}/review"): Rule(roles(Role.REVIEWER), team=True, body=_json(lambda ids: {"approved": True})),
    ("GET", f"{_MV}/card"): Rule(MEMBERS, team=True),
    ("PATCH", f"{_MV}/card"): Rule(_ENGINEER, team=True, body=_json(lambda ids: {})),
    ("PUT", f"{_M}/aliases/{{alias}}"): Rule(_ENGINEER, team=True, body=_VERSION),
    ("DELETE", f"{_M}/aliases/{{alias}}"): Rule(_ENGINEER, team=True),
    ("PATCH", f"{_M}/policy"): Rule(ADMIN_ONLY, team=True, body=_json(lambda ids: {"log_prompts": False})),
    ("GET", "/models/exports/formats"): Rule(MEMBERS, note="the installation's export choices, no team's data"),
    ("POST", f"{_MV}/exports"): Rule(_ENGINEER, team=True, body=_json(lambda ids: {"format": "merged"})),
    ("GET", f"{_MV}/exports"): Rule(MEMBERS, team=True),
    ("GET", f"{_MV}/exports/{{export_id}}"): Rule(MEMBERS, team=True),
    ("GET", f"{_MV}/exports/{{export_id}}/download"): Rule(
        roles(Role.ML_ENGINEER, Role.SRE), team=True, note="the weights: for the people who deploy them"
    ),
    ("POST", "/v1/files"): Rule(
        ANY_TOKEN,
        body=lambda ids: {"files": {"file": ("train.jsonl", b"{}\n")}, "data": {"purpose": "fine-tune"}},
        note=_GATEWAY,
    ),
    ("GET", "/v1/files"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own files"),
    ("GET", "/v1/files/{file_id}"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own files"),
    ("DELETE", "/v1/files/{file_id}"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own files"),
    ("GET", "/v1/files/{file_id}/content"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own files"),
    ("POST", "/v1/fine_tuning/jobs"): Rule(
        ANY_TOKEN, body=_json(lambda ids: {"model": "smollm2-135m-instruct", "training_file": "file-x"}), note=_GATEWAY
    ),
    ("GET", "/v1/fine_tuning/jobs"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own jobs"),
    ("GET", _FT): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own jobs"),
    ("POST", f"{_FT}/cancel"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own jobs"),
    ("POST", f"{_FT}/pause"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own jobs"),
    ("POST", f"{_FT}/resume"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own jobs"),
    ("GET", f"{_FT}/events"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own jobs"),
    ("GET", f"{_FT}/checkpoints"): Rule(ANY_TOKEN, note=f"{_GATEWAY}; the caller's own jobs"),
    ("GET", "/v1/models"): Rule(ANY_TOKEN, note="any token, or an inference key: the models it may call"),
    ("POST", "/v1/chat/completions"): Rule(
        PUBLIC, body=_json(lambda ids: {"model": ids["name"], "messages": []}), note=_SERVED
    ),
    ("POST", "/v1/classify"): Rule(PUBLIC, body=_json(lambda ids: {"model": ids["name"], "input": "x"}), note=_SERVED),
}

# ------------------------------------------------------------------------------------------------- monitoring

_OPERATOR = roles(Role.SRE, Role.ML_ENGINEER)
_RULE = _json(
    lambda ids: {
        "name": "matrix",
        "metric": "error_rate",
        "comparator": ">",
        "threshold": 0.5,
        "window_seconds": 300,
        "severity": "low",
        "model_name": ids["model"],
    }
)

MONITORING: dict[tuple[str, str], Rule] = {
    ("GET", "/metrics/models/{model}/series"): Rule(MEMBERS, team=True),
    ("GET", "/metrics/models/{model}/current"): Rule(MEMBERS, team=True),
    ("GET", "/metrics/models"): Rule(MEMBERS, note=_LISTING),
    ("GET", "/metrics/usecases/{usecase_id}/series"): Rule(MEMBERS, team=True, note="the team of its models"),
    ("GET", "/metrics/usecases/{usecase_id}/current"): Rule(MEMBERS, team=True, note="the team of its models"),
    ("GET", "/metrics/costs"): Rule(MEMBERS, note=_LISTING),
    ("POST", "/feedback"): Rule(
        MEMBERS,
        team=True,  # the served request's model's team
        body=_json(lambda ids: {"request_id": ids["request_id"], "rating": "up"}),
    ),
    ("GET", "/metrics/models/{model}/quality"): Rule(MEMBERS, team=True),
    ("POST", "/alerts/rules"): Rule(
        _OPERATOR,
        team=True,  # the rule's model's team
        body=_RULE,
        note="a rule for no model in particular watches every team's models: admins only",
    ),
    ("GET", "/alerts/rules"): Rule(MEMBERS, note=f"{_LISTING}, and the rules for every model"),
    ("GET", "/alerts/rules/{rule_id}"): Rule(MEMBERS, team=True),
    ("PATCH", "/alerts/rules/{rule_id}"): Rule(_OPERATOR, team=True, body=_json(lambda ids: {"enabled": False})),
    ("DELETE", "/alerts/rules/{rule_id}"): Rule(_OPERATOR, team=True, note="the matrix puts the rule back"),
    ("GET", "/alerts"): Rule(MEMBERS, note=_LISTING),
    ("GET", "/alerts/{alert_id}"): Rule(MEMBERS, team=True),
    ("POST", "/alerts/{alert_id}/acknowledge"): Rule(_OPERATOR, team=True),
    ("POST", "/alerts/{alert_id}/resolve"): Rule(_OPERATOR, team=True),
    ("GET", "/drift/reports"): Rule(MEMBERS, note=_LISTING),
    ("GET", "/drift/reports/{report_id}"): Rule(MEMBERS, team=True),
    ("GET", "/retraining/policies/{usecase_id}"): Rule(MEMBERS, team=True, note="the team of its models"),
    ("PUT", "/retraining/policies/{usecase_id}"): Rule(_ENGINEER, team=True, body=_json(lambda ids: {})),
    ("GET", "/retraining/actions"): Rule(MEMBERS, note=_LISTING),
    ("GET", "/recommendations/models/{model}"): Rule(MEMBERS, team=True),
}

RULES: dict[str, dict[tuple[str, str], Rule]] = {
    "intake": {**COMMON, **INTAKE},
    "data": {**COMMON, **DATA},
    "training": {**COMMON, **TRAINING},
    "evaluation": {**COMMON, **EVALUATION},
    "registry": {**COMMON, **REGISTRY},
    "monitoring": {**COMMON, **MONITORING},
}

#: Routes checked elsewhere rather than by the matrix, each with where and why. Keep this short: a route here is
#: still a route whose rule nobody declared in this table.
CHECKED_ELSEWHERE: dict[str, dict[tuple[str, str], str]] = {
    "intake": {
        ("DELETE", "/usecases/{usecase_id}"): "erases the seeded use case (retire's rule: ml_engineer, service, team); "
        "services/intake/tests/usecases/test_api_integration.py",
        ("GET", "/usecases/{usecase_id}/erasure"): "needs an erasure to exist (members of the team); "
        "services/intake/tests/usecases/test_api_integration.py",
    },
    "data": {
        ("DELETE", "/datasets/{dataset_id}"): "erases the seeded dataset; services/data/tests/erasure",
        ("DELETE", "/datasets/{dataset_id}/versions/{number}"): "erases the seeded version; data/tests/erasure",
        ("GET", "/datasets/{dataset_id}/erasure"): "needs an erasure to exist; services/data/tests/erasure",
        ("GET", "/datasets/{dataset_id}/erasures"): "needs an erasure to exist; services/data/tests/erasure",
    },
}
