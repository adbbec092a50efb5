"""No outbound network at run time: every tool's telemetry is off before the tool is imported.

Soda 4 reads SODA_CORE_TELEMETRY_ENABLED only at import, so this runs on ``import ingest``,
which every code path (DAG, CLI, tests) does before touching soda_core, dbt or Airflow.
"""

from __future__ import annotations

import os

OFF = {
    "SODA_CORE_TELEMETRY_ENABLED": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DO_NOT_TRACK": "1",
    "SCARF_ANALYTICS": "false",
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
}


def disable() -> None:
    os.environ.update(OFF)
