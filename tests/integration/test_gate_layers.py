"""The gate in layers: landing (raw feeds), person (int_person_death_dates) and marts.
Warn-level findings are stored and reported but never block; a fail-level one anywhere does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from support import FCT, set_warnings, warning

from ingest import gate
from ingest.identity import check_char
from tests.integration.test_identity_sql import identity_ddl

D = date(2026, 11, 29)
PERSON = """
create schema if not exists intermediate;
create table intermediate.int_person_death_dates (
    id_number text, death_date date, death_date_feed text, death_date_record_key text, name text,
    death_fact_count integer, death_facts jsonb)
"""


def id_number(n: int) -> str:
    first17 = f"21010519491231{n:03d}"
    return first17 + check_char(first17)


@pytest.fixture
def wh(warehouse):
    warehouse.execute(identity_ddl())
    warehouse.execute(FCT)
    warehouse.execute(PERSON)
    return warehouse


def land(conn, day: date, rows: int, *, invalid: int = 0, start: int = 0) -> None:
    """``rows`` records per feed for ``day``; the first ``invalid`` carry a broken number."""
    for i in range(start, start + rows):
        number = id_number(i % 1000)
        if i - start < invalid:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check character
        conn.execute(
            """insert into raw.ga_death ("公民身份号码", "姓名", "死亡日期", "注销日期", "派出所",
                                         _delivery_id, _business_date, _sequence)
               values (%s, '张三', %s, %s, '和平派出所', 1, %s, 1)""", (number, day, day, day))
        conn.execute(
            """insert into raw.wj_death_certificate (certificate_no, id_number, name, death_date, institution,
                                                     _delivery_id, _business_date, _sequence)
               values (%s, %s, '张三', %s, '医院', 1, %s, 1)""", (f"C{i:06d}", number, day, day))
        conn.execute(
            """insert into raw.mz_payment (payment_id, program, case_ref, payee_id_number, pay_month, amount,
                                           paid_at, status, updated_at, _delivery_id, _business_date, _sequence)
               values (%s, 'dibao', 'DB1', %s, %s, 905, now(), 'paid', now(), 1, %s, 1)""",
            (f"P{i:06d}", number, day.replace(day=1), day))


def persons(conn, rows: list[tuple[str, date]]) -> None:
    for number, died in rows:
        conn.execute(
            """insert into intermediate.int_person_death_dates values
               (%s, %s, 'ga_death', %s, '张三', 1,
                jsonb_build_array(jsonb_build_object('feed', 'ga_death', 'record_key', %s::text)))""",
            (number, died, f"公民身份号码={number}", f"公民身份号码={number}"))


def a_clean_day(conn) -> None:
    for back in (3, 2, 1):
        land(conn, D - timedelta(days=back), 10, start=100 * back)
    land(conn, D, 10)
    persons(conn, [(id_number(1), date(2026, 1, 5)), (id_number(2), date(2026, 2, 5))])
    set_warnings(conn, [warning(1), warning(2)])


def outcomes(conn) -> dict[tuple[str, str], str]:
    rows = conn.execute("select contract, check_path, outcome from meta.gate_results where business_date = %s",
                        (D,)).fetchall()
    return {(c, p): o for c, p, o in rows}


def test_every_layer_is_verified_and_stored_per_contract(wh, fresh_db):
    a_clean_day(wh)
    report = gate.require_all(fresh_db, D)
    assert report.passed and not report.warned, report.message()
    assert [r.contract for r in report.results] == [
        "raw_ga_death", "raw_mz_payment", "raw_wj_death_certificate", "int_person_death_dates", "fct_warnings"]
    stored = outcomes(wh)
    assert {c for c, _ in stored} == {r.contract for r in report.results}
    assert set(stored.values()) == {"passed"}
    gate.require_all(fresh_db, D)  # a rerun replaces, adds nothing
    assert len(outcomes(wh)) == len(stored)


def test_warn_level_findings_are_reported_and_never_block(wh, fresh_db):
    a_clean_day(wh)
    land(wh, D, 60, invalid=20, start=500)  # 70 rows today against 10 a day, 20 numbers broken
    persons(wh, [(id_number(3), D + timedelta(days=30))])  # a death after the business date
    report = gate.require_all(fresh_db, D)  # does not raise
    assert report.passed
    warned = " ".join(report.warned)
    for check in ("rows_vs_recent_days", "id_validity_rate", "death_after_business_date"):
        assert check in warned
    stored = outcomes(wh)
    assert stored[("raw_ga_death", next(p for c, p in stored if c == "raw_ga_death"
                                        and "id_validity_rate" in p))] == "warned"
    assert "failed" not in stored.values()
    assert "warning(s)" in report.message()


def test_an_empty_day_warns_but_does_not_fail(wh, fresh_db):
    persons(wh, [(id_number(1), date(2026, 1, 5))])
    set_warnings(wh, [warning(1)])
    report = gate.require_all(fresh_db, D)
    assert report.passed
    assert sum("rows delivered" in w or "row_count" in w for w in report.warned) == 3


@pytest.mark.parametrize(
    ("breakage", "contract", "check"),
    [
        ("""insert into intermediate.int_person_death_dates
            select * from intermediate.int_person_death_dates limit 1""", "int_person_death_dates", "duplicate"),
        ("""update intermediate.int_person_death_dates set death_facts = '[]'""",
         "int_person_death_dates", "death_facts_shape"),
        ("""insert into raw.ga_death (_delivery_id, _business_date, _sequence, "姓名")
            values (1, '2026-11-29', 1, 'x')""", "raw_ga_death", "公民身份号码"),
        ("""update raw.mz_payment set payment_id = null where payment_id = 'P000001'""",
         "raw_mz_payment", "payment_id"),
    ],
)
def test_a_fail_level_check_in_any_layer_blocks_and_says_where(wh, fresh_db, breakage, contract, check):
    a_clean_day(wh)
    wh.execute(breakage)
    with pytest.raises(gate.GateFailed, match=f"gate {contract} FAILED") as err:
        gate.require_all(fresh_db, D)
    assert check in str(err.value) and "push stopped" in str(err.value)
    failed = [(c, p) for (c, p), o in outcomes(wh).items() if o == "failed"]
    assert failed and all(c == contract for c, _ in failed) and any(check in p for _, p in failed)
    assert any(c == "fct_warnings" for c, _ in outcomes(wh))  # the other layers were still verified
