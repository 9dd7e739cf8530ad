"""Parcours: self-hosted web analytics. This package holds what every process shares —
settings, the spool format, database access and migrations — so that the web app and the
worker never need to import each other."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
