"""Incremental models equal a full rebuild: the tiny rig's days are ingested and built one by one
(`dbt build`, incremental models merge what changed), every model's table or view is copied
aside, then `dbt build --full-refresh` rebuilds the same warehouse from scratch and every model
of the staging, intermediate and mart schemas must hold exactly the same rows (EXCEPT ALL both
ways, row counts). The rig's days carry a superseded delivery (its raw rows removed), payments
reversed and moved between cases, records withdrawn (a warning retracted on the last day): the
keys whose facts went away must have gone from the incremental tables too. The incremental staging
models see new payment versions every day; their late, superseded and snapshot cases, which the
rig's days do not bring, are in test_incremental_staging.py.
"""

from __future__ import annotations

import json
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from psycopg import errors, sql
from test_rig_counts import run_day, tiny_rig

from ingest.db import connect
from ingest.transform import DAILY_BUILD, run_dbt
from ingest.warehouse import ensure_schema
from rig.publish import publish

FIRST = date(2026, 11, 27)
DAYS = 3
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "warnings", "quality")
SNAPSHOT = "incremental_snapshot"
# the incremental staging models and their feeds (the feed's prefix is the model's source folder)
STAGING = {"stg_rs__pensions": "rs_pension", "stg_mz__payments": "mz_payment", "stg_jr__deposits": "jr_deposit",
           "stg_rs__contributions": "rs_contribution", "stg_sw__income": "sw_income", "stg_ga__hukou": "ga_hukou",
           "stg_ga__deaths": "ga_death", "stg_wj__death_certificates": "wj_death_certificate",
           "stg_mz__death_cremations": "mz_death_cremation", "stg_zj__real_estate": "zj_real_estate"}
# four builds and a full refresh of the whole project: minutes, more on a busy machine
pytestmark = pytest.mark.timeout(2400)


def dbt(args: list[str], dsn: str, target: Path) -> None:
    # a target path of its own: other tests may run dbt at the same time
    run_dbt([*args, "--target-path", str(target)], dsn)


def models(conn) -> dict[tuple[str, str], str]:
    """(schema, name) -> materialisation, of every dbt model of the compared schemas."""
    rows = conn.execute(
        """select table_schema, table_name, table_type from information_schema.tables
           where table_schema = any(%s) order by 1, 2""", (list(MODEL_SCHEMAS),)).fetchall()
    return {(s, t): kind for s, t, kind in rows}


def incremental_models(target: Path) -> set[str]:
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return {n["name"] for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"}


def staging_ways(target: Path) -> dict[str, str]:
    """The way each incremental staging model was last built: delta (only the raw rows after its
    watermark) or whole (first build, full refresh, reset)."""
    ways = {}
    for model, feed in STAGING.items():
        source = feed.split("_", 1)[0]
        compiled = target / "compiled" / "minzheng_sentinel" / "dbt_project" / "models" / "staging" / source / f"{model}.sql"
        ways[model] = "delta" if "_delivery_id >" in compiled.read_text(encoding="utf-8") else "whole"
    return ways


def snapshot(conn, tables) -> None:
    conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SNAPSHOT)))
    conn.execute(sql.SQL("create schema {}").format(sql.Identifier(SNAPSHOT)))
    for schema, name in tables:
        conn.execute(sql.SQL("create table {}.{} as select * from {}.{}").format(
            sql.Identifier(SNAPSHOT), sql.Identifier(f"{schema}__{name}"), sql.Identifier(schema), sql.Identifier(name)))
    conn.commit()


def differences(conn, schema: str, name: str) -> tuple[int, int, int, int]:
    """(rows now, rows in the snapshot, rows only now, rows only in the snapshot), rows as text
    (json and arrays included) and counted with multiplicity."""
    now = sql.SQL("select model_row::text as r from {}.{} model_row").format(sql.Identifier(schema), sql.Identifier(name))
    then = sql.SQL("select model_row::text as r from {}.{} model_row").format(
        sql.Identifier(SNAPSHOT), sql.Identifier(f"{schema}__{name}"))
    q = sql.SQL("""select (select count(*) from ({now}) a), (select count(*) from ({then}) b),
                          (select count(*) from ({now} except all {then}) c),
                          (select count(*) from ({then} except all {now}) d)""").format(now=now, then=then)
    return conn.execute(q).fetchone()


def columns(conn, schema: str, name: str) -> list[tuple[str, str]]:
    return conn.execute("""select column_name, data_type from information_schema.columns
                           where table_schema = %s and table_name = %s order by ordinal_position""",
                        (schema, name)).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory, cluster):
    """The tiny rig's days ingested and built one by one, then the built models copied aside."""
    root = Path(tmp_path_factory.mktemp("incremental"))
    target = root / "dbt-target"
    with tiny_rig(root, cluster, "inc", DAYS) as world, connect(world.dsns["wh"]) as conn:
        rig = {"landing": world.landing, "server": world.server, "reader": world.reader}
        ensure_schema(conn)
        conn.commit()
        paid_months = []  # the paid-month keys after each day: a later day must retract some
        ways = []  # the way the incremental staging models were built, each day
        new_payments = []  # raw payment versions delivered after each day's watermark
        superseded = []  # the feeds with a delivery superseded by each day's loads
        for day in world.days:
            publish(world.dir, day, world.dsns["src"], landing_dir=world.landing, api_dir=world.api)
            before = conn.execute("select coalesce(max(delivery_id), 0) from meta.deliveries").fetchone()[0]
            run_day(conn, rig, day)
            conn.commit()
            superseded.append({f for (f,) in conn.execute(
                "select feed from meta.deliveries where status = 'superseded' and superseded_by > %s",
                (before,)).fetchall()})
            new_payments.append(conn.execute(
                """select count(*) from raw.mz_payment where _delivery_id > coalesce(substring(
                       obj_description(to_regclass('staging.stg_mz__payments'), 'pg_class')
                       from 'delivery_id ([0-9]+)')::bigint, -1)""").fetchone()[0])
            dbt(DAILY_BUILD, world.dsns["wh"], target)
            ways.append(staging_ways(target))
            paid_months.append({k for (k,) in conn.execute(
                "select paid_month_key from intermediate.int_paid_months_aggregated").fetchall()})
        dbt(DAILY_BUILD, world.dsns["wh"], target)  # a rerun with nothing new
        tables = models(conn)
        counts = {t: conn.execute(sql.SQL("select count(*) from {}.{}").format(
            sql.Identifier(t[0]), sql.Identifier(t[1]))).fetchone()[0] for t in tables}
        watermarks = dict(conn.execute(
            """select c.relname, obj_description(c.oid, 'pg_class') from pg_class c
               join pg_namespace n on n.oid = c.relnamespace where n.nspname = any(%s)""",
            (list(MODEL_SCHEMAS),)).fetchall())
        last_delivery = conn.execute("select max(delivery_id) from meta.deliveries").fetchone()[0]
        snapshot(conn, tables)
        cols = {t: columns(conn, *t) for t in tables}
        yield {"conn": conn, "dsn": world.dsns["wh"], "target": target, "tables": tables,
               "counts": counts, "columns": cols, "watermarks": watermarks, "last_delivery": last_delivery,
               "paid_months": paid_months, "ways": ways, "new_payments": new_payments, "superseded": superseded}


def test_the_big_models_are_incremental_and_filled(built):
    incremental = incremental_models(built["target"])
    assert {"int_paid_months_aggregated", "int_dibao_member_months", "int_recipient_months",
            "fct_household_months", *STAGING,
            "int_person_income_months", "int_person_balances_month_end", "dq_invalid_id_numbers"} <= incremental
    by_name = {name: n for (_, name), n in built["counts"].items()}
    for name in incremental:
        assert by_name[name] > 0, f"{name} is empty on the tiny rig: the comparison would prove nothing"
        # the watermark moved to the last delivery loaded: the next build starts after it
        assert built["watermarks"][name] == f"incremental through delivery_id {built['last_delivery']}", name
    # the days retract facts (payments reversed, cases withdrawn): the incremental builds removed rows
    retracted = set().union(*(a - b for a, b in pairwise(built["paid_months"])))
    added = set().union(*(b - a for a, b in pairwise(built["paid_months"])))
    assert retracted and added, "the rig's later days must both add and retract paid months"
    # the staging models merged the later days' payment versions (reversed, moved) on the delta way
    assert built["ways"][0] == dict.fromkeys(STAGING, "whole")
    # after the first day only a model whose feed had a delivery superseded is rebuilt whole (reset)
    whole = [sorted(m for m, w in ways.items() if w != "delta") for ways in built["ways"][1:]]
    resets = [sorted(m for m, feed in STAGING.items() if feed in fs) for fs in built["superseded"][1:]]
    assert whole == resets, f"built whole after the first day: {whole}; superseded: {built['superseded']}"
    assert all(n > 0 for n in built["new_payments"][1:]), built["new_payments"]
    print("row counts:", sorted(((n, name) for name, n in by_name.items()), reverse=True)[:12])


def unique_indexes(conn, table: str) -> list[str]:
    return [d for (d,) in conn.execute("""select pg_get_indexdef(indexrelid) from pg_index
                                           where indrelid = %s::regclass and indisunique""", (table,)).fetchall()]


# the tables whose key a unique index enforces instead of a `unique` data test (macros/unique_index.sql)
UNIQUE_KEYS = {
    "staging.stg_rs__pensions": "record_key",
    "staging.stg_mz__payments": "record_key",
    "staging.stg_rs__contributions": "record_key",
    "staging.stg_sw__income": "record_key",
    "staging.stg_ga__hukou": "record_key",
    "staging.stg_ga__deaths": "record_key",
    "staging.stg_wj__death_certificates": "record_key",
    "staging.stg_mz__death_cremations": "record_key",
    "staging.stg_zj__real_estate": "record_key",
    "staging.stg_jr__deposits": "unit, account_no, as_of_date",
    "intermediate.int_paid_months_aggregated": "paid_month_key",
    "intermediate.int_recipient_months": "paid_month_key, recipient_id_number",
    "intermediate.int_person_balances_month_end": "id_number, as_of_date",
    "intermediate.int_person_income_months": "id_number, income_month",
    "marts.fct_household_months": "paid_month_key",
}


def test_the_keys_are_enforced_unique_by_one_index(built):
    """The unique index that stands for the `unique` test is there once, however the table was
    built, and refuses a second row with a stored key."""
    conn = built["conn"]
    for table, key in UNIQUE_KEYS.items():
        assert [d.rsplit(" USING ", 1)[1] for d in unique_indexes(conn, table)] == [
            f"btree ({key}) NULLS NOT DISTINCT"], table
        with pytest.raises(errors.UniqueViolation), conn.transaction():
            conn.execute(sql.SQL("insert into {t} select * from {t} limit 1").format(
                t=sql.SQL(".").join(map(sql.Identifier, table.split(".")))))


# the columns a NOT NULL constraint keeps non-null instead of a `not_null` data test, and the
# CHECK that stands for an accepted_values test (macros/column_constraints.sql)
NOT_NULL = {
    "intermediate.int_paid_months_aggregated": ["paid_month_key", "program", "case_ref", "pay_month", "amount"],
    "intermediate.int_person_balances_month_end": ["id_number", "as_of_date", "balance_total"],
    "intermediate.int_dibao_member_months": ["paid_month_key", "member_record_key", "n_members"],
    "intermediate.int_recipient_months": ["paid_month_key", "recipient_id_number"],
    "intermediate.int_person_income_months": ["id_number", "income_month", "income"],
    "marts.fct_household_months": ["paid_month_key", "household_id", "n_members"],
    **{f"staging.{model}": ["record_key"] for model in STAGING},
}


# The paid-month tables that reference int_paid_months_aggregated by a foreign key.
PAID_MONTH_CHILDREN = ["intermediate.int_dibao_member_months", "intermediate.int_recipient_months",
                       "marts.fct_household_months"]


def test_the_constraints_refuse_what_the_tests_they_replace_would_fail(built):
    conn = built["conn"]
    for table, cols in NOT_NULL.items():
        schema, name = table.split(".")
        not_null = {c for (c,) in conn.execute(
            """select column_name from information_schema.columns
               where table_schema = %s and table_name = %s and is_nullable = 'NO'""", (schema, name)).fetchall()}
        assert set(cols) <= not_null, f"{table}: {sorted(set(cols) - not_null)} may be null"
        with pytest.raises(errors.NotNullViolation), conn.transaction():
            conn.execute(sql.SQL("update {t} set {c} = null where ctid = (select min(ctid) from {t})").format(
                t=sql.SQL(".").join(map(sql.Identifier, (schema, name))), c=sql.Identifier(cols[0])))
    with pytest.raises(errors.CheckViolation), conn.transaction():
        conn.execute("update intermediate.int_recipient_months set recipient_role = 'spouse' "
                     "where ctid = (select min(ctid) from intermediate.int_recipient_months)")
    for table in PAID_MONTH_CHILDREN:
        parents = conn.execute("select confrelid::regclass::text from pg_constraint where conrelid = %s::regclass "
                               "and contype = 'f'", (table,)).fetchall()
        assert parents == [("intermediate.int_paid_months_aggregated",)], f"{table}: {parents}"
        with pytest.raises(errors.ForeignKeyViolation), conn.transaction():
            conn.execute(sql.SQL("update {t} set paid_month_key = 'no such paid month' "
                                 "where ctid = (select min(ctid) from {t})").format(t=sql.SQL(table)))


def test_a_paid_month_deleted_takes_its_rows_in_the_child_tables_with_it(built):
    conn = built["conn"]
    key = conn.execute("select min(paid_month_key) from intermediate.int_dibao_member_months").fetchone()[0]

    def rows_in_children() -> dict[str, int]:
        return {t: conn.execute(sql.SQL("select count(*) from {} where paid_month_key = %s").format(sql.SQL(t)),
                                (key,)).fetchone()[0] for t in PAID_MONTH_CHILDREN}

    with conn.transaction(force_rollback=True):
        before = rows_in_children()
        conn.execute("delete from intermediate.int_paid_months_aggregated where paid_month_key = %s", (key,))
        after = rows_in_children()
    assert all(before.values()) and not any(after.values()), (before, after)


def test_incremental_build_equals_a_full_refresh(built):
    conn = built["conn"]
    dbt([*DAILY_BUILD, "--full-refresh"], built["dsn"], built["target"])
    assert models(conn).keys() == built["tables"].keys(), "the same models exist after the full refresh"
    differ = {}
    for schema, name in sorted(built["tables"]):
        assert columns(conn, schema, name) == built["columns"][(schema, name)], f"{schema}.{name}: columns differ"
        now, then, only_now, only_then = differences(conn, schema, name)
        if (now, only_now, only_then) != (then, 0, 0):
            differ[f"{schema}.{name}"] = {"full_refresh": now, "incremental": then, "only_full_refresh": only_now,
                                          "only_incremental": only_then}
    assert differ == {}, f"incremental and full-refresh builds differ: {differ}"
