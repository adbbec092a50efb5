"""Run dbt (build: seeds, models and data tests) in-process, against WAREHOUSE_DSN.

dbt runs as one task, not one task per model: per-model task overhead dwarfs the models.
The daily build leaves out the dbt unit tests: they test the code, not the day's data, so they
run in the test suite (tests/integration/test_dbt_unit_tests.py), as dbt's docs advise.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

from ingest import db

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DbtFailed(RuntimeError):
    pass


def dbt_env(dsn: str) -> dict[str, str]:
    state = Path(os.environ.get("MINZHENG_STATE_DIR", PROJECT_ROOT / ".local"))
    return {
        **db.dsn_parts(dsn),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_TARGET_PATH": str(state / "dbt" / "target"),
        "DBT_LOG_PATH": str(state / "dbt" / "logs"),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT),
        "DBT_PROJECT_DIR": str(PROJECT_ROOT),
    }


def run_dbt(args: list[str], dsn: str) -> None:
    os.environ.update(dbt_env(dsn))
    from dbt.cli.main import dbtRunner  # imported late: dbt is heavy and reads env at import

    # no --vars: the models read the day from meta, and new vars would make dbt re-parse the
    # whole project on every build instead of reusing its partial parse (~6 s a build)
    cli_args = [*args, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    result = dbtRunner().invoke(cli_args)
    if not result.success:
        failures = []
        for node in getattr(result.result, "results", None) or []:
            if str(getattr(node, "status", "")).lower() in ("error", "fail"):
                failures.append(f"{node.node.unique_id}: {node.message}")
        detail = "; ".join(failures) or str(result.exception)
        raise DbtFailed(f"dbt {' '.join(args)} failed: {detail}")


DAILY_BUILD = ["build", "--exclude-resource-type", "unit_test"]


def build(dsn: str, business_date: date) -> None:
    from ingest.warehouse import ensure_raw_indexes

    with db.connect(dsn) as conn:  # a raw table created by this day's loads is indexed once it is full
        indexed = ensure_raw_indexes(conn)
    if indexed:
        log.info("indexed %d new raw tables", len(indexed))
    log.info("dbt build for business date %s", business_date)
    run_dbt(DAILY_BUILD, dsn)
