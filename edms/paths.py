"""Paths of the project's top-level folders (templates, migrations, schemas)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
