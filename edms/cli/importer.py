"""Bulk import of cards from CSV (placeholder until the importer lands)."""

from __future__ import annotations

from flask.cli import AppGroup


def register(group: AppGroup) -> None:
    return None
