"""The dbt unit tests (every warning rule's cases, the identity macro, ...) pass. The daily build
leaves them out (ingest/transform.py): they test the code, so they run here, against the empty
relations of a fresh warehouse (`dbt build --empty` gives their inputs' columns and types)."""

from __future__ import annotations

import json
from datetime import date

from ingest.transform import DAILY_BUILD, run_dbt

DAY = date(2026, 11, 27)


def test_every_dbt_unit_test_passes(warehouse, fresh_db, tmp_path):
    warehouse.commit()
    target = ["--target-path", str(tmp_path / "target")]
    run_dbt([*DAILY_BUILD, "--empty", *target], fresh_db)
    run_dbt(["test", "--select", "test_type:unit", *target], fresh_db)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(unit) >= 38 and set(unit.values()) == {"pass"}
