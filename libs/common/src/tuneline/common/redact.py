"""What an error may say once it leaves the process: in an API answer, an event, a log line or a dead letter.

Three things never do: the values bound to a SQL statement (record contents, prompts, PII), the input values a
validation error echoes, and paths on the server's disk. Engines are created with ``hide_parameters=True``
(``tuneline.common.db``), but that is not enough: PostgreSQL's own message quotes values ("invalid input for query
argument $1: '…'", "Key (email)=(…) already exists"), so a database error is described by its class, SQLSTATE and
constraint only. Everything else keeps its message, with filesystem paths and ``file://`` URIs replaced.
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from sqlalchemy import exc as sa_exc

#: A ``file://`` URI, or an absolute (or ./ ../ ~/) path of two or more parts; not the path of an http(s) URL.
_PATH = re.compile(r"file://[^\s'\"<>()\[\],;]+|(?<![\w:/.~-])(?:~|\.{1,2})?/(?:[\w.@+~-]+/)+[\w.@+~-]*")
PATH_PLACEHOLDER = "<path>"


def redact_paths(text: str) -> str:
    """`text` with every filesystem path and ``file://`` URI replaced by ``<path>``."""
    return _PATH.sub(PATH_PLACEHOLDER, text)


def summarise_validation(exc: ValidationError, *, limit: int = 10) -> str:
    """`field: message` of each problem (the first `limit`), never the input value pydantic keeps with it."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False)[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def _database_error(exc: sa_exc.StatementError) -> str:
    orig = exc.orig
    driver = orig.__cause__ if orig is not None and orig.__cause__ is not None else orig
    details = [type(driver).__name__] if driver is not None else []
    sqlstate = getattr(orig, "sqlstate", None) or getattr(driver, "sqlstate", None)
    if sqlstate:
        details.append(f"SQLSTATE {sqlstate}")
    constraint = getattr(driver, "constraint_name", None)
    if constraint:
        details.append(f"constraint {constraint}")
    return f"{type(exc).__name__}: the database refused a statement" + (f" ({', '.join(details)})" if details else "")


def describe_error(exc: BaseException, *, limit: int = 500) -> str:
    """``Type: message`` of `exc`, safe to store, send and log (see the module's doc)."""
    if isinstance(exc, sa_exc.StatementError):
        return _database_error(exc)[:limit]
    if isinstance(exc, ValidationError):
        return f"{type(exc).__name__}: {summarise_validation(exc)}"[:limit]
    return redact_paths(f"{type(exc).__name__}: {exc}")[:limit]


def is_database_error(exc: BaseException) -> bool:
    """A traceback of it would print the database's message (and so, possibly, a value): log it without one."""
    return isinstance(exc, sa_exc.StatementError)
