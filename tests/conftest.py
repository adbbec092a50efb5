"""Shared fixtures: the project-managed PostgreSQL, a fresh database per test, Airflow's env.

Airflow reads its configuration at import, so its environment is set here, before any test
module imports it: its home and metadata DB live in the project's local cluster.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import ingest  # noqa: F401 - telemetry off before anything imports soda, dbt or airflow
from ingest.localpg import LocalCluster

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATE = PROJECT_ROOT / ".local" / "test"
STATE.mkdir(parents=True, exist_ok=True)

_cluster = LocalCluster()
_cluster.start()
os.environ["MINZHENG_STATE_DIR"] = str(STATE)

from ingest.cli import airflow_env  # noqa: E402 - needs MINZHENG_STATE_DIR

os.environ.update(airflow_env(lambda name: _cluster.create_database(f"{name}_test")))


@pytest.fixture(scope="session")
def cluster() -> LocalCluster:
    return _cluster


@pytest.fixture
def fresh_db(cluster: LocalCluster) -> Iterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    dsn = cluster.create_database(name)
    yield dsn
    cluster.drop_databases(name)


@pytest.fixture
def warehouse(fresh_db: str) -> Iterator[psycopg.Connection]:
    """A connection to a fresh warehouse database with the meta and raw schemas created."""
    from ingest.db import connect
    from ingest.warehouse import ensure_schema

    with connect(fresh_db) as conn:
        ensure_schema(conn)
        yield conn


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata DB, migrated once per session."""
    from ingest.cli import migrate_airflow

    migrate_airflow()
