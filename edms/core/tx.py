"""Transactions: one `atomic()` unit per request, job or command; `on_commit()` side effects run only after commit.

Only this module commits. Operations flush; entry points wrap their work in `atomic()`. A request that only reads
may run its statements outside a transaction (`autocommit_reads`); its `atomic()` blocks still get one each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from edms.core.db import db, is_postgresql

_CALLBACKS = 'edms_on_commit'
_DEPTH = 'edms_atomic_depth'
_READS = 'edms_autocommit_reads'
#: HTTP methods of requests that only read: their statements outside `atomic()` run without a transaction.
READ_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})


@contextmanager
def atomic(*, keep_loaded: bool = False) -> Iterator[None]:
    """Run the block in one transaction; the outermost block commits, then runs the `on_commit` callbacks.

    `keep_loaded` leaves the objects read in the block usable after the commit without reloading them (the
    per-request authentication reads the user and records the use of the session or token in its own transaction).
    """
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    if depth == 0 and info.get(_READS):
        _end_reads()
    info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            _commit(keep_loaded)
    except BaseException:
        if depth == 0:
            db.session.rollback()
            info.pop(_CALLBACKS, None)
        raise
    finally:
        info[_DEPTH] = depth
    if depth == 0:
        if info.get(_READS):
            _begin_reads()
        _run_callbacks()


@contextmanager
def atomic_keeping(*kept: type[BaseException]) -> Iterator[None]:
    """`atomic()`, except that a refusal of a `kept` type commits what the block wrote before it and is raised after
    the commit: a refusal that must leave its trace (a wrong confirmation code's spent attempt, a wrong password
    counted towards the lockout), where nothing else has been written yet."""
    refused: BaseException | None = None
    with atomic():
        try:
            yield
        except kept as error:
            refused = error
    if refused is not None:
        raise refused


def autocommit_reads() -> None:
    """Run the rest of this request's statements outside `atomic()` without a transaction (PostgreSQL only).

    For GET requests: a read then costs no BEGIN and no ROLLBACK round trip, and psycopg keeps the connection's
    prepared statements, which it drops on every ROLLBACK. Each statement still sees one consistent snapshot, as it
    does in a READ COMMITTED transaction. An `atomic()` block leaves this mode for its own transaction and comes back
    to it after a commit, so writes stay atomic (after a rollback the request's reads go on in a transaction).
    """
    if is_postgresql():
        db.session.info[_READS] = True
        _begin_reads()


def _begin_reads() -> None:
    session = db.session()
    if not session.in_transaction():
        session.connection(execution_options={'isolation_level': 'AUTOCOMMIT'})


def _end_reads() -> None:
    """Release the autocommit connection; the objects read stay loaded (there is no snapshot they belong to)."""
    session = db.session()
    if session.in_transaction():
        _commit(keep_loaded=True)


def _commit(keep_loaded: bool) -> None:
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, not keep_loaded and session.expire_on_commit
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def on_commit(func: Callable[..., Any], *args: Any) -> None:
    """Schedule `func(*args)` to run after the current transaction commits; dropped on rollback."""
    db.session.info.setdefault(_CALLBACKS, []).append((func, args))


def _run_callbacks() -> None:
    callbacks = db.session.info.pop(_CALLBACKS, [])
    for func, args in callbacks:
        func(*args)
