"""The authorisation matrix: every route of every service x every role x own team / other team / no team.

The expectations are declared in `access_rules.py` next to this file (one row per route; see its docstring). Each
service's app runs once for the module against the run's PostgreSQL and Kafka, with one object of each kind
seeded for team "alpha"; requests go through httpx's ASGI transport.

- coverage: every route an app serves has a row, and every row a route;
- roles: no token -> 401 (public routes: anything but 401/403); a token whose roles Tuneline does not know -> 403
  (routes that take any token: allowed); each role -> allowed (not 401/403) or 403, as declared. The caller is of
  team alpha and acts on alpha's objects;
- teams (team-scoped routes): an allowed role of alpha -> allowed; of team beta -> 403 (or the declared 404); with
  no team -> 403; an admin of beta -> allowed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tuneline.common.auth import Role
from tuneline.common.testing.helpers import load_neighbour

pytestmark = pytest.mark.integration


rules = load_neighbour(__file__, "access_rules.py")
seeded = load_neighbour(__file__, "seeded_services.py")
TEAM, OTHER_TEAM, OWNER, CALLER, UNKNOWN_ROLE = (
    seeded.TEAM,
    seeded.OTHER_TEAM,
    seeded.OWNER,
    seeded.CALLER,
    seeded.UNKNOWN_ROLE,
)
RULES: dict[str, dict[tuple[str, str], Any]] = rules.RULES
assert set(seeded.BUILDERS) == set(RULES), "every service needs a builder and a rule table"

#: Which allowed role speaks for a route in the team cases: people before the platform's service accounts, which
#: pass the team check by design.
TEAM_CASE_ROLES = (Role.VIEWER, Role.REVIEWER, Role.DATA_OWNER, Role.ML_ENGINEER, Role.SRE)


@pytest.fixture(scope="module")
async def services(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Any]:
    async with seeded.seeded_services(database_url, kafka_bootstrap, tmp_path_factory.mktemp("matrix-objects")) as s:
        yield s


# -------------------------------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    service: str
    method: str
    path: str
    role: Role | str | None  # None: no token
    team: str | None
    expect: str | int  # "allowed" (neither 401 nor 403) or the status
    subject: str = CALLER

    @property
    def rule(self) -> Any:
        return RULES[self.service][(self.method, self.path)]


def _label(role: Role | str | None) -> str:
    return "no-token" if role is None else "unknown-role" if role == UNKNOWN_ROLE else str(role)


def role_cases() -> Iterator[Any]:
    for service, table in RULES.items():
        for (method, path), rule in table.items():
            subject = OWNER if rule.owner_only else CALLER
            for role in (None, UNKNOWN_ROLE, *Role):
                if role is None:
                    expect: str | int = "allowed" if rule.public else 401
                else:
                    expect = "allowed" if rule.allows(None if role == UNKNOWN_ROLE else role) else 403
                case = Case(service, method, path, role, TEAM, expect, subject)
                yield pytest.param(case, id=f"{service}:{method} {path}:{_label(role)}")


def team_cases() -> Iterator[Any]:
    for service, table in RULES.items():
        for (method, path), rule in table.items():
            if not rule.team:
                continue
            label = f"{service}:{method} {path}"
            role = next((r for r in TEAM_CASE_ROLES if rule.allows(r)), None)
            if role is not None:
                own = OWNER if rule.owner_only else CALLER
                yield pytest.param(
                    Case(service, method, path, role, TEAM, "allowed", own), id=f"{label}:{role}:own-team"
                )
                other = Case(service, method, path, role, OTHER_TEAM, rule.other_team)
                yield pytest.param(other, id=f"{label}:{role}:other-team")
                yield pytest.param(Case(service, method, path, role, None, 403), id=f"{label}:{role}:no-team")
            admin = Case(service, method, path, Role.ADMIN, OTHER_TEAM, "allowed")
            yield pytest.param(admin, id=f"{label}:admin:other-team")


async def _answer(services: Any, case: Case) -> httpx.Response:
    svc = await services.get(case.service)
    if (case.method, case.path) not in svc.routes:
        pytest.skip("declared, but the app has no such route (the coverage test names it)")
    response = await svc.call(case.method, case.path, case.rule, case.role, case.team, case.subject)
    if case.method == "DELETE" and response.is_success and svc.restore is not None:
        await svc.restore()
    return response


def _check(case: Case, response: httpx.Response) -> None:
    who = f"{_label(case.role)} of team {case.team!r} as {case.subject!r}"
    answer = f"{response.status_code} {response.text[:300]}"
    if case.expect == "allowed":
        assert response.status_code not in (401, 403), f"{who} should pass the access check, got {answer}"
        assert response.status_code < 500, f"{who}: the route failed: {answer}"
    else:
        assert response.status_code == case.expect, f"{who} should get {case.expect}, got {answer}"


# ---------------------------------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("service", sorted(RULES))
async def test_every_route_declares_its_rule_and_every_rule_has_its_route(services: Any, service: str) -> None:
    served = (await services.get(service)).routes
    declared = set(RULES[service]) | set(rules.CHECKED_ELSEWHERE.get(service, {}))
    undeclared = sorted(served - declared)
    gone = sorted(declared - served)
    assert not undeclared, (
        f"{service}: routes without an access rule; add them to tests/contracts/access_rules.py, e.g.\n"
        + "\n".join(f'    ("{m}", "{p}"): Rule(roles(Role.VIEWER), team=True),' for m, p in undeclared)
    )
    assert not gone, f"{service}: rules for routes that no longer exist (remove them): {gone}"


@pytest.mark.parametrize("case", list(role_cases()))
async def test_each_role_gets_the_declared_answer(services: Any, case: Case) -> None:
    _check(case, await _answer(services, case))


@pytest.mark.parametrize("case", list(team_cases()))
async def test_team_scoped_routes_refuse_other_teams_and_teamless_callers(services: Any, case: Case) -> None:
    _check(case, await _answer(services, case))
