"""The COPY fast path loads the tiny rig, fault day included, exactly as the Python reader does:
every raw row, every quarantine row with its reason, every ledger entry with its counts."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from fastcopy_support import assert_same, snapshot, warehouse_pair

from ingest.catalogue import load_catalogue
from ingest.files import load_file_deliveries
from rig.generate import generate
from rig.publish import publish

CAT = load_catalogue()
FIRST, DAYS, FAULT_DAY = date(2026, 11, 27), 3, date(2026, 11, 28)


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    root = Path(tmp_path_factory.mktemp("fastcopy_rig"))
    result = generate(root / "rig", "tiny", 42, FIRST, DAYS, fault_days=[FAULT_DAY], rules=["W01"])
    return root, result.days


def test_tiny_rig_with_faults_loads_the_same_through_copy_and_python(rig, cluster, caplog):
    root, days = rig
    landing = root / "landing"
    caplog.set_level(logging.DEBUG, logger="ingest.fastcopy")
    with warehouse_pair(cluster) as wh:
        for day in days:
            publish(root / "rig", day, None, landing_dir=landing, api_dir=root / "api")
            for d in CAT.by_mode("file"):
                load_file_deliveries(wh["copy"], landing, d, loader="direct")  # any size
                load_file_deliveries(wh["python"], landing, d, loader="python")
        fast, python = snapshot(wh["copy"]), snapshot(wh["python"])
    assert_same(fast, python)
    assert sum(fast["meta.quarantine"].values()) >= 3, "the fault day's bad rows are quarantined"
    assert sum(fast["meta.deliveries"].values()) > 20
    copied = [r for r in caplog.records if "COPY fast path" in r.getMessage() or "COPY direct path" in r.getMessage()]
    fallbacks = [r.getMessage() for r in caplog.records if "Python path" in r.getMessage()]
    assert len(copied) > 20, "most CSV files took the fast path"
    direct = [r for r in copied if "COPY direct path" in r.getMessage()]
    assert len(direct) > len(copied) / 2, "most of them straight into the raw table"
    # The stage path takes only what the direct path does not plan (thousands separators, an
    # extra column) and files of another shape (the fault day's wrong field counts).
    staged = {r.getMessage().split(":")[0] for r in copied if "COPY fast path" in r.getMessage()}
    assert staged == {"sw_income_20261031.csv", "cl_disability_cert_20261128.csv"}, staged
    deferred = [r.getMessage() for r in caplog.records if "lines typed by values.py" in r.getMessage()]
    assert deferred, "the fault day's bad values are handed to values.py on the direct path"
    # Only the fault day's malformed rows (wrong field counts) send a file the Python way.
    assert all("ga_detention" in m for m in fallbacks), fallbacks
