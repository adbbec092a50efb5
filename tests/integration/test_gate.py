"""The Soda gate on the warning mart: a failed contract stops the push and says why."""

from __future__ import annotations

from datetime import date

import pytest
from support import set_warnings, warning

from ingest import gate

CONTRACT = gate.SODA_DIR / "contracts" / "fct_warnings.yml"
D = date(2026, 11, 29)


def test_clean_mart_passes_and_results_are_stored_once_per_date(wh, fresh_db):
    set_warnings(wh, [warning(1), warning(2)])
    result = gate.require(CONTRACT, fresh_db, D)
    assert result.passed and result.checks >= 20
    stored = wh.execute("select count(*), count(*) filter (where outcome = 'passed') from meta.gate_results").fetchone()
    assert stored == (result.checks, result.checks)
    gate.require(CONTRACT, fresh_db, D)  # rerun: same rows, no more
    assert wh.execute("select count(*) from meta.gate_results").fetchone()[0] == result.checks


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        ({"amount_at_risk": "20000.00", "severity": "medium"}, "severity_raised"),
        ({"warning_id": "W01-nothex"}, "warning_id"),
        ({"evidence": "[]"}, "evidence_shape"),
        ({"amount_at_risk": "-1.00"}, "amount_at_risk"),
        ({"rule": "W99"}, "rule"),
    ],
)
def test_a_failing_check_blocks_the_push_with_its_name(wh, fresh_db, broken, check):
    set_warnings(wh, [warning(1), {**warning(2), **broken}])
    with pytest.raises(gate.GateFailed, match=check) as err:
        gate.require(CONTRACT, fresh_db, D)
    assert "push stopped" in str(err.value)
    failed = wh.execute("select check_path from meta.gate_results where outcome = 'failed'").fetchall()
    assert any(check in path for (path,) in failed)


def test_duplicate_warning_ids_fail(wh, fresh_db):
    set_warnings(wh, [warning(1), warning(1)])
    with pytest.raises(gate.GateFailed, match="duplicate"):
        gate.require(CONTRACT, fresh_db, D)
