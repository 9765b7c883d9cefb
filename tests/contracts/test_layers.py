"""Each service's layers point one way: entrypoints → orchestration → domain packages → repositories.

Two rules are checked on the source (stdlib `ast`, nothing imported):
- no import circle between a service's domain packages (a package is the first folder under
  `src/tuneline/<service>/`; a module at the service root counts as itself; imports inside functions count too);
- SQL lives in repositories only: no sqlalchemy/sqlmodel `select`/`insert`/`update`/`delete`/`text`, no
  `session.execute`/`exec`, no raw SQL string outside `repository.py` / `*_repository.py` / `repositories/`,
  the migrations and the kernel (libs/common). `tables.py` declares the schema (an index's `sa.text` predicate
  is part of it) and is no query either.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "src" / "tuneline" / p.name).is_dir())

SQL_BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})
SQL_MODULES = ("sqlalchemy", "sqlmodel")
RAW_SQL = re.compile(r"^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\()")
CONNECTION_NAMES = re.compile(r"session|conn|connection|db|tx|uow", re.IGNORECASE)


def _sources(base: Path) -> Iterator[Path]:
    for path in sorted(base.rglob("*.py")):
        if "migrations" not in path.relative_to(base).parts:
            yield path


def import_graph(base: Path, package: str) -> dict[str, set[str]]:
    """Which of `package`'s domain packages each one imports (`package` is e.g. 'tuneline.registry')."""
    graph: dict[str, set[str]] = {}
    prefix = package + "."
    for path in _sources(base):
        rel = path.relative_to(base).parts
        me = rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")
        edges = graph.setdefault(me, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith(prefix):
                    other = name[len(prefix) :].split(".")[0]
                    if other and other != me:
                        edges.add(other)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def may_hold_sql(path: Path) -> bool:
    repository = path.name == "repository.py" or path.name.endswith("_repository.py") or "repositories" in path.parts
    return repository or path.name == "tables.py"


def sql_outside_repositories(path: Path, source: str) -> list[str]:
    """'file:line what' for every piece of SQL in `source` (empty for repositories)."""
    if may_hold_sql(path):
        return []
    tree = ast.parse(source)
    builders: set[str] = set()  # names bound to sqlalchemy/sqlmodel statement builders in this module
    modules: set[str] = set()  # names bound to the sqlalchemy/sqlmodel modules themselves
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(SQL_MODULES):
            builders |= {a.asname or a.name for a in node.names if a.name in SQL_BUILDERS}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name in SQL_MODULES}
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in builders:
                what = f"{func.id}()"
            elif isinstance(func, ast.Attribute):
                receiver = func.value
                if isinstance(receiver, ast.Name) and receiver.id in modules and func.attr in SQL_BUILDERS:
                    what = f"{receiver.id}.{func.attr}()"
                elif func.attr in ("execute", "exec") and CONNECTION_NAMES.search(ast.unparse(receiver)):
                    what = f"{ast.unparse(receiver)}.{func.attr}()"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_SQL.match(node.value):
            what = f"raw SQL {node.value.strip()[:30]!r}"
        if what is not None:
            found.append(f"{path}:{getattr(node, 'lineno', 0)} {what}")
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_no_domain_package_imports_one_that_imports_it_back(service: str) -> None:
    base = ROOT / "services" / service / "src" / "tuneline" / service
    assert circles(import_graph(base, f"tuneline.{service}")) == []


@pytest.mark.parametrize("service", SERVICES)
def test_sql_appears_only_in_repositories_and_migrations(service: str) -> None:
    base = ROOT / "services" / service / "src" / "tuneline" / service
    found = [hit for path in _sources(base) for hit in sql_outside_repositories(path, path.read_text("utf-8"))]
    assert found == []


def _write(base: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text, encoding="utf-8")
    return base


def test_a_domain_importing_one_that_imports_it_back_is_a_circle(tmp_path: Path) -> None:
    base = _write(
        tmp_path,
        {
            "models/service.py": "from tuneline.demo.deployments import service\n",
            "deployments/service.py": "def f():\n    from tuneline.demo.keys.domain import Key\n",
            "keys/domain.py": "import tuneline.demo.models.tables\n",
            "orchestration.py": "from tuneline.demo.models import service\nfrom tuneline.demo.keys import domain\n",
        },
    )
    assert circles(import_graph(base, "tuneline.demo")) == [["deployments", "keys", "models"]]


def test_imports_that_only_point_down_are_no_circle(tmp_path: Path) -> None:
    base = _write(
        tmp_path,
        {
            "entrypoints/models.py": "from tuneline.demo import orchestration\n",
            "orchestration.py": "from tuneline.demo.models import service\nfrom tuneline.demo.keys import domain\n",
            "models/service.py": "from tuneline.demo.keys import domain\n",
            "keys/domain.py": "import json\n",
        },
    )
    assert circles(import_graph(base, "tuneline.demo")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy as sa\nasync def f(s):\n    return await s.scalar(sa.select(1))\n",
        "from sqlmodel import select\nq = select(Row)\n",
        "from sqlalchemy import text as t\nq = t('SELECT 1')\n",
        "async def f(session):\n    await session.execute(q)\n",
        "async def f(self):\n    await self.session.exec(q)\n",
        "QUERY = 'SELECT id FROM jobs WHERE status = $1'\n",
        "Q = '''\n    UPDATE jobs SET status = 'queued'\n'''\n",
    ],
)
def test_sql_in_a_service_module_is_found(source: str) -> None:
    assert sql_outside_repositories(Path("jobs/service.py"), source) != []


@pytest.mark.parametrize(
    "source",
    [
        "async def f(self, evaluation_id):\n    await self.execute(evaluation_id)\n",
        "MESSAGE = 'Select a model version to deploy'\n",
        "import sqlalchemy as sa\ncolumn = sa.Column(sa.Text)\n",
    ],
)
def test_what_only_looks_like_sql_is_not_flagged(source: str) -> None:
    assert sql_outside_repositories(Path("jobs/service.py"), source) == []


def test_repositories_may_hold_sql() -> None:
    source = "import sqlalchemy as sa\nasync def f(session):\n    await session.execute(sa.select(1))\n"
    assert sql_outside_repositories(Path("jobs/repository.py"), source) == []
    assert sql_outside_repositories(Path("store/repositories/jobs.py"), source) == []
