"""Who may see what: the roles of the project's migrations, proven by connecting as each.

A fresh database gets the warehouse's tables, a stand-in warning mart with warnings in two
districts, their revisions (publish.revise), the migrations, and one login per role. Each test
connects as that login (the local cluster trusts 127.0.0.1) and tries what it may and may not do.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from support import FCT, set_warnings, warning, wid

from ingest import migrate, publish
from ingest.db import connect
from ingest.warehouse import ensure_schema

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "auditor-guide.md"
MINE, OTHER = "210105", "210102"
PERSON = "210105194912300001"          # the guide's example person: subjects of two programmes
ID_TOKEN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@dataclass
class Logins:
    dsn: str          # superuser
    auditor: str
    other_auditor: str
    bi: str
    loader: str
    transformer: str
    ids: list[str]    # every identity number in the test data

    def as_(self, login: str) -> psycopg.Connection:
        return psycopg.connect(re.sub(r"//[^@/]+@", f"//{login}@", self.dsn), autocommit=True)


def _warnings() -> list[dict]:
    rows = [warning(1), warning(2, amount="12000.00", months=3), warning(3)]
    tekun = warning(1)
    tekun.update(program="tekun", case_ref="TK000001", warning_id=wid("TK000001", PERSON, program="tekun"))
    rows.append(tekun)
    for n in (4, 5):   # another district; n=5 is the same person in a third programme
        w = warning(n)
        subject = PERSON if n == 5 else w["subject"].replace(MINE, OTHER, 1)
        w.update(district_code=OTHER, subject=subject, subject_id_number=subject, program="elderly_allowance",
                 case_ref=f"EA{n:06d}", warning_id=wid(f"EA{n:06d}", subject, program="elderly_allowance"),
                 evidence=json.dumps([{"feed": "ga_death", "record_key": f"公民身份号码={subject}"}]))
        rows.append(w)
    return rows


@pytest.fixture
def logins(fresh_db: str) -> Iterator[Logins]:
    suffix = uuid.uuid4().hex[:8]
    names = {k: f"t_{k}_{suffix}" for k in ("aud", "oaud", "bi", "load", "tr")}
    rows = _warnings()
    with connect(fresh_db) as conn:
        ensure_schema(conn)
        publish.ensure_tables(conn)
        conn.execute(FCT)
        set_warnings(conn, rows)
        today = conn.execute("select current_date").fetchone()[0]
        publish.revise(conn, today)
        migrate.apply(conn)
        conn.execute("insert into publish.verifications (warning_id, state, updated_at) values "
                     "(%s, 'confirmed', now()), (%s, 'dismissed', now()), (%s, 'confirmed', now())",
                     (rows[0]["warning_id"], rows[1]["warning_id"], rows[4]["warning_id"]))
        migrate.add_auditor(conn, names["aud"], [MINE])
        migrate.add_auditor(conn, names["oaud"], [OTHER])
        migrate.add_login(conn, names["bi"], "mz_bi_reader")
        migrate.add_login(conn, names["load"], "mz_loader")
        migrate.add_login(conn, names["tr"], "mz_transformer")
        ids = sorted({r["subject_id_number"] for r in rows})
        try:
            yield Logins(fresh_db, names["aud"], names["oaud"], names["bi"], names["load"], names["tr"], ids)
        finally:
            for name in names.values():
                conn.execute(f'drop owned by "{name}"')
                conn.execute(f'drop role "{name}"')


def denied(conn: psycopg.Connection, statement: str) -> bool:
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_migrations_are_recorded_and_idempotent(logins: Logins) -> None:
    with connect(logins.dsn) as conn:
        assert migrate.apply(conn) == []
        versions = [v for (v,) in conn.execute("select version from meta.schema_migrations order by 1")]
        assert versions == [m.version for m in migrate.migrations()]
        roles = {r for (r,) in conn.execute("select rolname from pg_roles where rolname like 'mz\\_%' "
                                            "and not rolcanlogin")}
        assert set(migrate.GROUP_ROLES) <= roles


def test_auditor_sees_only_its_district_with_identity_and_evidence(logins: Logins) -> None:
    with logins.as_(logins.auditor) as conn:
        rows = conn.execute("select district_code, subject_id_number, subject_name, evidence "
                            "from audit.warnings").fetchall()
        assert len(rows) == 4 and {r[0] for r in rows} == {MINE}
        assert all(re.fullmatch(r"\d{17}[\dX]", r[1]) and r[2] == "张三" and r[3] for r in rows)
        assert conn.execute("select count(*) from audit.warning_revisions where district_code = %s",
                            (OTHER,)).fetchone()[0] == 0
        assert conn.execute("select count(*) from audit.warning_evidence").fetchone()[0] == 4
        assert [d for (d,) in conn.execute("select district_code from audit.my_districts")] == [MINE]
        # the same person's warning in the other district stays invisible
        assert conn.execute("select count(*) from audit.warnings where subject_id_number = %s",
                            (PERSON,)).fetchone()[0] == 2
        precision = conn.execute("select district_code, confirmed, dismissed, precision "
                                 "from audit.rule_precision").fetchall()
        assert precision == [(MINE, 1, 1, pytest.approx(0.5))]
    with logins.as_(logins.other_auditor) as conn:
        assert {d for (d,) in conn.execute("select district_code from audit.warnings")} == {OTHER}


def test_auditor_cannot_go_around_the_views_or_write(logins: Logins) -> None:
    with logins.as_(logins.auditor) as conn:
        for statement in [
            "select * from warnings.fct_warnings",
            "select * from publish.warning_revisions",
            "select * from publish.outbox",
            "select * from meta.auditor_districts",
            "select * from meta.deliveries",
            "select * from raw.ga_death",
            "select * from reporting.warnings",
            "select * from vault.pseudonym_key",
            "insert into meta.auditor_districts values (current_user, '210102')",
            "update audit.warning_revisions set district_code = '210102'",
            "delete from audit.warning_revisions",
            "create table audit.mine (x int)",
            "create table public.mine (x int)",
            "create temp table mine (x int)",
        ]:
            assert denied(conn, statement), statement


def test_bi_reader_sees_masked_reporting_only(logins: Logins) -> None:
    with logins.as_(logins.bi) as conn:
        views = [v for (v,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'reporting' order by 1")]
        assert {"warnings", "warnings_by_district_rule", "rule_precision", "deliveries"} <= set(views)
        for view in views:
            cur = conn.execute(f"select * from reporting.{view}")
            for row in cur.fetchall():
                for value in row:
                    text = str(value)
                    assert not ID_TOKEN.search(text), (view, text)
                    assert not any(i in text for i in logins.ids), (view, text)
        rows = conn.execute("select subject_pseudonym, subject_name_masked, amount_at_risk, district_code "
                            "from reporting.warnings").fetchall()
        assert len(rows) == 6
        assert {r[1] for r in rows} == {"张*"}
        assert sum(r[2] for r in rows) == sum(float(w["amount_at_risk"]) for w in _warnings())
        # one person, one pseudonym, across districts and programmes
        assert len({r[0] for r in rows}) == len(logins.ids)
        totals = dict(conn.execute("select district_code, sum(warnings) from reporting.warnings_by_district_rule "
                                   "group by 1").fetchall())
        assert totals == {MINE: 4, OTHER: 2}
        for statement in [
            "select * from raw.ga_death",
            "select * from warnings.fct_warnings",
            "select * from meta.deliveries",
            "select * from publish.warning_revisions",
            "select * from audit.warnings",
            "select * from vault.pseudonym_key",
            "create table reporting.mine (x int)",
        ]:
            assert denied(conn, statement), statement


def test_loader_writes_raw_and_the_ledger_but_not_warnings(logins: Logins) -> None:
    with logins.as_(logins.loader) as conn:
        delivery = conn.execute(
            "insert into meta.deliveries (unit, feed, mode, business_date, sequence, fingerprint, status) "
            "values ('GA01', 'ga_death', 'file', '2026-11-29', 1, 'f', 'loaded') "
            "returning delivery_id, recorded_by").fetchone()
        assert delivery[1] == logins.loader
        conn.execute("insert into raw.ga_death (_delivery_id, _business_date, _sequence) "
                     "values (%s, '2026-11-29', 1)", (delivery[0],))
        assert conn.execute("delete from raw.ga_death").rowcount == 1
        for statement in [
            "insert into warnings.fct_warnings (warning_id) values ('x')",
            "select * from publish.warning_revisions",
            "insert into publish.push_attempts (batch_id, attempt) values ('x', 1)",
            "create table staging.mine (x int)",
            "select * from reporting.warnings",
        ]:
            assert denied(conn, statement), statement


def test_transformer_builds_models_from_raw_but_writes_no_raw(logins: Logins) -> None:
    with logins.as_(logins.transformer) as conn:
        conn.execute("create table staging.t_deaths as select * from raw.ga_death")
        conn.execute("create view warnings.t_v as select 1 as x")
        for statement in [
            "insert into raw.ga_death (_delivery_id, _business_date, _sequence) values (1, '2026-11-29', 1)",
            "select * from publish.warning_revisions",
            "select * from meta.auditor_districts",
            "create table raw.mine (x int)",
        ]:
            assert denied(conn, statement), statement


def test_nothing_is_granted_to_public(logins: Logins) -> None:
    system = "('pg_catalog', 'information_schema')"
    with connect(logins.dsn) as conn:
        tables = conn.execute(f"""
            select n.nspname || '.' || c.relname from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            cross join lateral aclexplode(c.relacl) a
            where a.grantee = 0 and n.nspname not in {system} and n.nspname not like 'pg\\_%'""").fetchall()
        assert tables == []
        schemas = conn.execute(f"""
            select n.nspname from pg_namespace n
            where n.nspname not in {system} and n.nspname not like 'pg\\_%'
              and exists (select 1 from aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
                          where a.grantee = 0)""").fetchall()
        assert schemas == []
        functions = conn.execute(f"""
            select n.nspname || '.' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname not in {system} and n.nspname not like 'pg\\_%'
              and exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                          where a.grantee = 0)""").fetchall()
        assert functions == []
        database = conn.execute("""
            select count(*) from pg_database d
            cross join lateral aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
            where d.datname = current_database() and a.grantee = 0""").fetchone()[0]
        assert database == 0
        assert conn.execute("select count(*) from information_schema.role_table_grants "
                            f"where grantee = 'PUBLIC' and table_schema not in {system}").fetchone()[0] == 0


def _guide_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_the_auditor_guide_queries_run_as_an_auditor(logins: Logins) -> None:
    blocks = _guide_blocks()
    assert len(blocks) >= 6
    with logins.as_(logins.auditor) as conn:
        for block in blocks:
            rows = conn.execute(block).fetchall()
            assert rows, block
            cols = [c.name for c in conn.execute(block).description]
            if "district_code" in cols:
                assert {r[cols.index("district_code")] for r in rows} == {MINE}, block
        history = conn.execute(blocks[3]).fetchall()
        assert {r[0] for r in history} == {"dibao", "tekun"}   # not the other district's programme


def test_the_audit_trail_queries_run_and_name_the_recording_role(logins: Logins) -> None:
    doc = (GUIDE.parent / "audit-trail.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sql\n(.*?)```", doc, flags=re.S) if "dag_run" not in b]
    assert len(blocks) == 3
    with connect(logins.dsn) as conn:
        for block in blocks:
            for statement in filter(str.strip, block.split(";")):
                conn.execute(statement)
        tables = {"meta.deliveries", "meta.quarantine", "meta.gate_results", "publish.warning_revisions",
                  "publish.batches", "publish.push_attempts", "publish.breaker_releases",
                  "publish.breaker_checks", "publish.verification_history"}
        missing = [t for t in tables if not conn.execute(
            "select 1 from information_schema.columns where table_schema || '.' || table_name = %s "
            "and column_name = 'recorded_by'", (t,)).fetchone()]
        assert missing == []
        assert conn.execute("select count(*) from publish.warning_revisions where recorded_by is null"
                            ).fetchone()[0] == 6   # revised before the migration: unknown, not guessed
