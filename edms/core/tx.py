"""Transactions: one `atomic()` unit per request, job or command; `on_commit()` side effects run only after commit.

Only this module commits. Operations flush; entry points wrap their work in `atomic()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from edms.core.db import db

_CALLBACKS = 'edms_on_commit'
_DEPTH = 'edms_atomic_depth'


@contextmanager
def atomic(*, keep_loaded: bool = False) -> Iterator[None]:
    """Run the block in one transaction; the outermost block commits, then runs the `on_commit` callbacks.

    `keep_loaded` leaves the objects read in the block usable after the commit without reloading them (the
    per-request authentication reads the user and records the use of the session or token in its own transaction).
    """
    info = db.session.info
    depth = info.get(_DEPTH, 0)
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
        _run_callbacks()


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
