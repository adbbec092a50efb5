#!/usr/bin/env bash
# ruff over the Python (Airflow AIR rules on), sqlfluff over the dbt models (dbt templater,
# which needs a reachable warehouse: the project's local cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD
.venv/bin/ruff check ingest rig dags tests
dsn=$(.venv/bin/python -m ingest.localpg start)
lintdb=$(.venv/bin/python -c "from ingest.localpg import LocalCluster; print(LocalCluster().create_database('lint'))")
eval "$(.venv/bin/python -c "from ingest.db import dsn_parts; [print(f'export {k}={v!r}') for k, v in dsn_parts('$lintdb').items()]")"
export DBT_SEND_ANONYMOUS_USAGE_STATS=False DBT_TARGET_PATH=.local/dbt/lint-target DBT_LOG_PATH=.local/dbt/logs
.venv/bin/sqlfluff lint dbt_project/models --processes 2
