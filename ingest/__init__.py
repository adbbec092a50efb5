"""minzheng-sentinel: ingestion, gate and push library for the Shenyang civil-affairs warehouse.

DAG files in ``dags/`` only wire these modules together; every piece of logic lives here
and is unit-tested under ``tests/``.
"""

from ingest.telemetry import disable as _disable_telemetry

_disable_telemetry()
