"""The person-keyed incremental models equal a full rebuild on the paths the rig's days do not take
(macros/incremental_persons.sql): new income facts of every income feed (a new version of a
record and a new record), a bank's new snapshot replacing its earlier delivery for an as_of_date
(accounts gone, balances changed, an account moved to another person), a member who left his
household (his income months are no longer member months), new invalid identity numbers, and
superseded deliveries (their raw rows removed: everything recomputed).

The tiny rig's first day is loaded and built; then each scenario writes raw rows and ledger
entries the way the loaders do, builds incrementally, copies the tables aside, rebuilds them with
--full-refresh and requires the same rows (EXCEPT ALL both ways).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from psycopg import sql
from test_rig_counts import run_day, tiny_rig

from ingest.db import connect
from ingest.transform import run_dbt
from ingest.warehouse import ensure_schema
from rig.publish import publish

FIRST = date(2026, 11, 27)
MODELS = {
    "int_person_income_months": "intermediate",
    "int_person_balances_month_end": "intermediate",
    "dq_invalid_id_numbers": "quality",
}
SELECT = ["--select", *(f"+{m}" for m in MODELS)]
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def wh(tmp_path_factory, cluster):
    """The tiny rig's first day loaded and its person models built."""
    root = Path(tmp_path_factory.mktemp("person_facts"))
    target = root / "dbt-target"
    with tiny_rig(root, cluster, "ipf", 1) as world, connect(world.dsns["wh"]) as conn:
        ensure_schema(conn)
        conn.commit()
        publish(world.dir, FIRST, world.dsns["src"], landing_dir=world.landing, api_dir=world.api)
        run_day(conn, {"landing": world.landing, "server": world.server, "reader": world.reader}, FIRST)
        conn.commit()
        world.server.stop()
        dbt(["run", *SELECT], world.dsns["wh"], target)
        yield {"conn": conn, "dsn": world.dsns["wh"], "target": target}


def dbt(args: list[str], dsn: str, target: Path) -> None:
    run_dbt([*args, "--target-path", str(target)], dsn)


def delivery(conn, unit: str, feed: str, business_date: date = FIRST + timedelta(days=1)) -> int:
    """A new loaded delivery in the ledger, as a loader records it."""
    sequence = conn.execute(
        "select coalesce(max(sequence), 0) + 1 from meta.deliveries where unit = %s and feed = %s and business_date = %s",
        (unit, feed, business_date)).fetchone()[0]
    return conn.execute(
        """insert into meta.deliveries (unit, feed, mode, business_date, sequence, fingerprint, status, loaded_at)
           values (%s, %s, 'file', %s, %s, %s, 'loaded', now()) returning delivery_id""",
        (unit, feed, business_date, sequence, uuid.uuid4().hex)).fetchone()[0]


def insert_raw(conn, feed: str, delivery_id: int, rows: list[dict]) -> None:
    business_date, sequence = conn.execute(
        "select business_date, sequence from meta.deliveries where delivery_id = %s", (delivery_id,)).fetchone()
    for line, row in enumerate(rows, 1):
        row = {**row, "_delivery_id": delivery_id, "_business_date": business_date, "_sequence": sequence,
               "_line": line, "_file": None, "_extra": None}
        conn.execute(sql.SQL("insert into raw.{} ({}) values ({})").format(
            sql.Identifier(feed), sql.SQL(", ").join(map(sql.Identifier, row)),
            sql.SQL(", ").join(sql.Placeholder() * len(row))), list(row.values()))


def raw_rows(conn, feed: str, where: str, params=()) -> list[dict]:
    cur = conn.execute(sql.SQL("select * from raw.{} where ").format(sql.Identifier(feed)) + sql.SQL(where), params)
    names = [d.name for d in cur.description]
    meta = {"_delivery_id", "_business_date", "_sequence", "_line", "_file", "_extra", "_loaded_at"}
    return [{k: v for k, v in zip(names, r, strict=True) if k not in meta} for r in cur.fetchall()]


def supersede(conn, old: int) -> int:
    """A new delivery of the same unit, feed and date supersedes `old` (the ledger's way): old's raw
    rows are removed, the new one's are loaded (here: old's rows without the first)."""
    unit, feed, business_date = conn.execute(
        "select unit, feed, business_date from meta.deliveries where delivery_id = %s", (old,)).fetchone()
    rows = raw_rows(conn, feed, "_delivery_id = %s order by _line", (old,))
    new = delivery(conn, unit, feed, business_date)
    conn.execute(sql.SQL("delete from raw.{} where _delivery_id = %s").format(sql.Identifier(feed)), (old,))
    conn.execute("update meta.deliveries set status = 'superseded', superseded_by = %s where delivery_id = %s",
                 (new, old))
    insert_raw(conn, feed, new, rows[1:])
    return new


def one(conn, query: str, params=()):
    return conn.execute(query, params).fetchone()


def inserted(target: Path) -> dict[str, int]:
    """Rows each person model inserted in the last dbt run (its main statement)."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {r["unique_id"].split(".")[-1]: r["adapter_response"].get("rows_affected") for r in results
            if r["unique_id"].split(".")[-1] in MODELS}


def build_and_compare(wh, recomputed: dict[str, str] | None = None) -> dict[str, int]:
    """Incremental build, then --full-refresh of the person models: the same rows. `recomputed`:
    model -> "none" | "some" | "all", the rows the incremental build is to insert (none: a build with
    nothing new; some: fewer than the table holds, the build was incremental). Returns the row counts."""
    conn = wh["conn"]
    conn.commit()
    last = one(conn, "select max(delivery_id) from meta.deliveries")[0]
    dbt(["run", *SELECT], wh["dsn"], wh["target"])
    rows_inserted = inserted(wh["target"])
    counts = {}
    conn.execute("drop schema if exists person_snapshot cascade")
    conn.execute("create schema person_snapshot")
    for name, schema in MODELS.items():
        comment = one(conn, "select obj_description(%s::regclass, 'pg_class')", (f"{schema}.{name}",))[0]
        assert comment == f"incremental through delivery_id {last}", name
        conn.execute(sql.SQL("create table person_snapshot.{} as select * from {}.{}").format(
            sql.Identifier(name), sql.Identifier(schema), sql.Identifier(name)))
        counts[name] = one(conn, sql.SQL("select count(*) from {}.{}").format(
            sql.Identifier(schema), sql.Identifier(name)))[0]
    conn.commit()
    dbt(["run", "--full-refresh", "--select", *MODELS], wh["dsn"], wh["target"])
    differ = {}
    for name, schema in MODELS.items():
        now = sql.SQL("select r::text from {}.{} r").format(sql.Identifier(schema), sql.Identifier(name))
        then = sql.SQL("select r::text from person_snapshot.{} r").format(sql.Identifier(name))
        only_full = one(conn, sql.SQL("select count(*) from ({} except all {}) x").format(now, then))[0]
        only_inc = one(conn, sql.SQL("select count(*) from ({} except all {}) x").format(then, now))[0]
        full = one(conn, sql.SQL("select count(*) from ({}) x").format(now))[0]
        if (only_full, only_inc, full) != (0, 0, counts[name]):
            differ[name] = {"only_full_refresh": only_full, "only_incremental": only_inc, "full": full,
                            "incremental": counts[name]}
    conn.commit()
    assert differ == {}, f"incremental and full-refresh builds differ: {differ}"
    for name, expected in (recomputed or {}).items():
        n = rows_inserted[name]
        assert {"none": n == 0, "some": 0 < n < counts[name], "all": n == counts[name]}[expected], (name, n, counts)
    return counts


def test_new_income_facts_bank_snapshot_and_invalid_numbers(wh):
    conn = wh["conn"]
    # a member (valid number) of a paid dibao month, without income that month
    person, month = one(conn, """
        select m.member_id_number, m.pay_month from intermediate.int_dibao_member_months m
        where m.member_id_number is not null and not exists (
            select 1 from intermediate.int_person_income_months i
            where i.id_number = m.member_id_number and i.income_month = m.pay_month)
        order by 1, 2 limit 1""")
    # a member with an employer contribution counted as income: its next version changes the base
    contribution = raw_rows(conn, "rs_contribution", """payer_type = 'employer' and util.normalize_id_number(
        id_number, _business_date) in (select id_number from intermediate.int_person_income_months
        where employer_contribution_base > 0) order by id_number, contribution_month limit 1""")[0]
    d = delivery(conn, "RS-SBZX", "rs_contribution")
    insert_raw(conn, "rs_contribution", d, [
        {**contribution, "contribution_base": contribution["contribution_base"] + 1234},
        {**contribution, "id_number": person, "contribution_month": month, "employer_uscc": "91210100TEST00001X",
         "contribution_base": 4321},
    ])
    d = delivery(conn, "SC-SWJ", "sw_income")
    insert_raw(conn, "sw_income", d, [
        {"纳税人身份证号": person, "姓名": "测试", "所属期": month, "扣缴单位": "测试单位", "收入额": 2345, "已缴税额": 0},
        {"纳税人身份证号": "2101021950010100XX", "姓名": "无效", "所属期": month, "扣缴单位": "测试单位",
         "收入额": 1, "已缴税额": 0},
    ])
    pension = raw_rows(conn, "rs_pension", """scheme = 'employee' and util.normalize_id_number(id_number, _business_date)
        in (select id_number from intermediate.int_person_income_months where employee_pension > 0)
        order by id_number, pay_month limit 1""")[0]
    d = delivery(conn, "RS-YLJ", "rs_pension")
    insert_raw(conn, "rs_pension", d, [{**pension, "amount": pension["amount"] + 11},
                                       {**pension, "id_number": person, "pay_month": month, "amount": 999}])
    d = delivery(conn, "RS-RSJ", "rs_public_employee")
    insert_raw(conn, "rs_public_employee", d, [{
        "id_number": person, "name": "测试", "employer_name": "测试局", "employer_type": "government",
        "start_date": month - timedelta(days=40), "end_date": None, "monthly_salary": 3456}])
    # a bank's new snapshot for one as_of_date: an account gone, a balance changed, an account moved
    # to the person, an invalid number
    unit, old, as_of = one(conn, """
        select d.unit, d.delivery_id, r.as_of_date from raw.jr_deposit r
        join meta.deliveries d on d.delivery_id = r._delivery_id
        group by 1, 2, 3 having count(*) >= 5 order by count(*) desc, 3 desc limit 1""")
    rows = raw_rows(conn, "jr_deposit", "_delivery_id = %s and as_of_date = %s order by account_no", (old, as_of))
    gone = one(conn, "select util.normalize_id_number(%s, %s)", (rows[0]["id_number"], FIRST))[0]
    kept = {r["id_number"] for r in rows[1:]}
    new_rows = [{**rows[1], "balance": rows[1]["balance"] + 100000}, {**rows[2], "id_number": person},
                {**rows[3], "id_number": "21010219500101001"}, *rows[4:]]
    d = delivery(conn, unit, "jr_deposit", business_date=FIRST + timedelta(days=3))
    insert_raw(conn, "jr_deposit", d, new_rows)

    build_and_compare(wh, dict.fromkeys(MODELS, "some"))

    income = one(conn, """select taxable_income, employer_contribution_base, employee_pension, public_salary
                          from intermediate.int_person_income_months where id_number = %s and income_month = %s""",
                 (person, month))
    assert income == (2345, 4321, 999, 3456), "the new facts made the person's income"
    assert one(conn, """select count(*) from intermediate.int_person_balances_month_end
                        where id_number = %s and as_of_date = %s""", (person, as_of))[0] == 1
    if rows[0]["id_number"] not in kept and gone is not None:
        assert one(conn, """select count(*) from intermediate.int_person_balances_month_end m
                            where id_number = %s and as_of_date = %s
                              and accounts::text like %s""", (gone, as_of, f"%{unit}%"))[0] == 0
    assert one(conn, """select count(*) from quality.dq_invalid_id_numbers
                        where raw_value in ('2101021950010100XX', '21010219500101001')""")[0] == 2


def test_a_member_who_left_loses_his_income_months(wh):
    conn = wh["conn"]
    household, person, months = one(conn, """
        select m.case_ref, m.member_id_number, count(*) from intermediate.int_dibao_member_months m
        join intermediate.int_person_income_months i on i.id_number = m.member_id_number and i.income_month = m.pay_month
        group by 1, 2 order by 3 desc, 2 limit 1""")
    assert months > 1
    member = raw_rows(conn, "mz_dibao_member", """household_id = %s and util.normalize_id_number(id_number, _business_date) = %s
        order by updated_at desc limit 1""", (household, person))[0]
    first = one(conn, """select min(pay_month) from intermediate.int_dibao_member_months
                         where case_ref = %s and member_id_number = %s""", (household, person))[0]
    d = delivery(conn, "MZ", "mz_dibao_member")
    insert_raw(conn, "mz_dibao_member", d, [
        {**member, "left_date": first, "updated_at": member["updated_at"] + timedelta(days=1)}])
    before = one(conn, "select count(*) from intermediate.int_person_income_months where id_number = %s", (person,))[0]

    build_and_compare(wh, {"int_person_income_months": "some", "int_person_balances_month_end": "none"})

    after = one(conn, "select count(*) from intermediate.int_person_income_months where id_number = %s", (person,))[0]
    assert after < before, "the months after he left are no longer member months"


def test_superseded_deliveries_recompute_everything(wh):
    conn = wh["conn"]
    for feed in ("rs_contribution", "jr_deposit", "sw_income"):
        latest = one(conn, "select max(delivery_id) from meta.deliveries where feed = %s and status = 'loaded'",
                     (feed,))[0]
        supersede(conn, latest)
    build_and_compare(
        wh, {"int_person_income_months": "all", "int_person_balances_month_end": "all", "dq_invalid_id_numbers": "some"}
    )


def test_nothing_new_changes_nothing(wh):
    conn = wh["conn"]
    before = build_and_compare(wh)
    assert before == build_and_compare(wh, dict.fromkeys(MODELS, "none"))
    assert one(conn, "select count(*) from intermediate.int_person_balances_month_end")[0] > 0
