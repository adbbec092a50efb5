"""The incremental staging models (stg_rs__pensions, stg_mz__payments, stg_jr__deposits) equal a
full rebuild on the cases the tiny rig's three days do not bring: raw rows are inserted directly,
day by day, into two fresh warehouses; one builds the three models incrementally, the other with
`--full-refresh`, and after every day both hold the same rows. The days carry a late delivery (an
earlier business date that must not win), identity numbers spelled differently that normalise to
one key, a payment reversed, moved to another case and given an older (losing) version, bank
snapshots that replace a group, a late snapshot that must not, a new as_of_date, superseded
deliveries (raw rows removed: the build recomputes everything), an `--empty` build in between and a
day with nothing new.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ingest.db import connect
from ingest.transform import run_dbt
from ingest.warehouse import ensure_schema

MODELS = ("stg_rs__pensions", "stg_mz__payments", "stg_jr__deposits")
FEEDS = {"stg_rs__pensions": "rs_pension", "stg_mz__payments": "mz_payment", "stg_jr__deposits": "jr_deposit"}
COMPILED = Path("minzheng_sentinel") / "dbt_project" / "models" / "staging"
SHANGHAI = timezone(timedelta(hours=8))
A18, A15 = "210105194912310023", "210105491231002"  # one person: 18 digits and the old 15-digit form
X_UPPER, X_LOWER = "21010519500101181X", "21010519500101181x"
pytestmark = pytest.mark.timeout(900)


class Warehouses:
    """Two warehouses fed the same deliveries: `inc` builds incrementally, `full` from scratch."""

    def __init__(self, dsns: dict[str, str], root: Path):
        self.dsns = dsns
        self.conns = {k: connect(v) for k, v in dsns.items()}
        self.root = root
        for conn in self.conns.values():
            ensure_schema(conn)
            conn.commit()

    def deliver(self, unit: str, feed: str, business_date: date, rows: list[dict], sequence: int = 1) -> int:
        """A loaded delivery and its raw rows (line = position); a higher sequence of an already
        loaded (unit, feed, business date) supersedes it and removes its raw rows, as the ledger does."""
        ids = set()
        for conn in self.conns.values():
            delivery_id = conn.execute(
                """insert into meta.deliveries (unit, feed, mode, business_date, sequence, fingerprint, status, loaded_at)
                   values (%s, %s, 'file', %s, %s, %s, 'loaded', now()) returning delivery_id""",
                (unit, feed, business_date, sequence, f"test-{sequence}")).fetchone()[0]
            for line, row in enumerate(rows, 1):
                cols = [*row, "_delivery_id", "_business_date", "_sequence", "_line"]
                conn.execute(sql.SQL("insert into raw.{} ({}) values ({})").format(
                    sql.Identifier(feed), sql.SQL(", ").join(map(sql.Identifier, cols)),
                    sql.SQL(", ").join(sql.Placeholder() * len(cols))),
                    [*row.values(), delivery_id, business_date, sequence, line])
            for (old,) in conn.execute(
                    """update meta.deliveries set status = 'superseded', superseded_by = %s
                       where unit = %s and feed = %s and business_date = %s and status = 'loaded'
                         and delivery_id <> %s returning delivery_id""",
                    (delivery_id, unit, feed, business_date, delivery_id)).fetchall():
                conn.execute(sql.SQL("delete from raw.{} where _delivery_id = %s").format(sql.Identifier(feed)), (old,))
            conn.commit()
            ids.add(delivery_id)
        assert len(ids) == 1, "both warehouses number deliveries alike"
        return ids.pop()

    def build(self) -> dict[str, str]:
        """Both builds; returns the way (delta / reset) each incremental model took."""
        target = self.root / "target-inc"
        run_dbt(["run", "--select", *MODELS, "--target-path", str(target)], self.dsns["inc"])
        run_dbt(["run", "--select", *MODELS, "--full-refresh", "--target-path", str(self.root / "target-full")],
                self.dsns["full"])
        ways = {}
        for model in MODELS:
            compiled = next((target / "compiled" / COMPILED).rglob(f"{model}.sql")).read_text(encoding="utf-8")
            ways[model] = "delta" if "_delivery_id >" in compiled else "whole"
        return ways

    def build_empty(self) -> None:
        """`dbt run --empty` on the incremental warehouse: reads no raw row, must not move a watermark."""
        run_dbt(["run", "--empty", "--select", *MODELS, "--target-path", str(self.root / "target-empty")],
                self.dsns["inc"])

    def rows(self, name: str, model: str) -> Counter:
        return Counter(r for (r,) in self.conns[name].execute(
            sql.SQL("select t::text from staging.{} t").format(sql.Identifier(model))).fetchall())

    def assert_equal(self) -> None:
        last = self.conns["inc"].execute("select max(delivery_id) from meta.deliveries").fetchone()[0]
        for model in MODELS:
            inc, full = self.rows("inc", model), self.rows("full", model)
            assert inc, f"{model} is empty"
            assert inc == full, f"{model}: only incremental {inc - full}, only full refresh {full - inc}"
            comment = self.conns["inc"].execute(
                "select obj_description(%s::regclass, 'pg_class')", (f"staging.{model}",)).fetchone()[0]
            assert comment == f"incremental through delivery_id {last}", model
            self.conns["inc"].commit()

    def one(self, query: str, *args) -> tuple:
        row = self.conns["inc"].execute(query, args).fetchone()
        self.conns["inc"].commit()
        return row

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


@pytest.fixture
def warehouses(cluster, fresh_db, tmp_path):
    name = f"t_{uuid.uuid4().hex[:12]}"
    dsns = {"inc": fresh_db, "full": cluster.create_database(name)}
    wh = Warehouses(dsns, tmp_path)
    try:
        yield wh
    finally:
        wh.close()
        with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def pension(id_number: str, month: str, amount: float, scheme: str = "employee") -> dict:
    return {"id_number": id_number, "pay_month": date.fromisoformat(f"{month}-01"), "scheme": scheme, "amount": amount}


def payment(payment_id: str, case_ref: str, status: str, updated: str, payee: str = A18, amount: float = 900) -> dict:
    at = datetime.fromisoformat(updated).replace(tzinfo=SHANGHAI)
    return {"payment_id": payment_id, "program": "dibao", "case_ref": case_ref, "payee_id_number": payee,
            "pay_month": date(2026, 10, 1), "amount": amount, "paid_at": at, "status": status, "updated_at": at}


def balances(bank: str, as_of: date, accounts: range, base: float = 100) -> list[dict]:
    return [{"id_number": A18 if i % 2 else X_UPPER, "account_no": f"{bank}-{i}", "product": "current",
             "balance": base + i, "as_of_date": as_of} for i in accounts]


SEP, OCT, NOV = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30)


def test_incremental_staging_equals_a_full_refresh(warehouses):
    wh = warehouses
    # day 1: the first deliveries, with history
    wh.deliver("RS-YLJ", "rs_pension", OCT, [pension(A18, "2026-09", 100), pension(A18, "2026-10", 110),
                                            pension(X_UPPER, "2026-10", 200), pension("BAD-1", "2026-10", 5)])
    wh.deliver("MZ", "mz_payment", date(2026, 11, 27), [
        payment("P1", "DB1", "paid", "2026-11-20 10:00"), payment("P2", "TK1", "paid", "2026-11-20 10:00"),
        payment("P3", "DB2", "paid", "2026-11-20 10:00")])
    wh.deliver("JR-ICBC", "jr_deposit", OCT, balances("ICBC", SEP, range(3)) + balances("ICBC", OCT, range(3)))
    wh.deliver("JR-ABC", "jr_deposit", OCT, balances("ABC", OCT, range(2)))
    assert set(wh.build().values()) == {"whole"}  # first build
    wh.assert_equal()

    # day 2: new versions, late ones, other spellings of a key, snapshots
    nov_pensions = wh.deliver("RS-YLJ", "rs_pension", NOV, [
        pension(A15, "2026-09", 105),          # the 15-digit spelling: a new version of A18/09
        pension(X_LOWER, "2026-11", 210), pension(A18, "2026-11", 120), pension("BAD-1", "2026-10", 6)])
    wh.deliver("RS-YLJ", "rs_pension", SEP, [pension(A15, "2026-10", 999)])  # late: loses to Oct's A18/10
    wh.deliver("MZ", "mz_payment", date(2026, 11, 28), [
        payment("P1", "DB1", "reversed", "2026-11-28 09:00"),   # reversed
        payment("P3", "DB3", "paid", "2026-11-28 09:00"),       # moved to another case
        payment("P2", "TK1", "reversed", "2026-11-19 09:00"),   # an older version: loses
        payment("P4", "DB1", "paid", "2026-11-28 09:00", payee=A15)])
    icbc_nov = wh.deliver("JR-ICBC", "jr_deposit", NOV, balances("ICBC", OCT, range(1, 3), 500)   # replaces Oct
                          + balances("ICBC", NOV, range(2)))                                    # a new date
    wh.deliver("JR-ABC", "jr_deposit", date(2026, 10, 30), balances("ABC", OCT, range(5), 900))  # late: loses
    assert set(wh.build().values()) == {"delta"}
    wh.assert_equal()
    assert wh.one("select amount from staging.stg_rs__pensions where id_number = %s and pay_month = %s",
                  A18, date(2026, 10, 1)) == (110,)
    assert wh.one("select amount from staging.stg_rs__pensions where id_number = %s and pay_month = %s",
                  A18, date(2026, 9, 1)) == (105,)
    assert wh.one("select count(*) from staging.stg_rs__pensions where id_number = %s", X_UPPER) == (2,)
    assert wh.one("select string_agg(payment_id || ':' || case_ref || ':' || status, ',' order by payment_id) "
                  "from staging.stg_mz__payments") == ("P1:DB1:reversed,P2:TK1:paid,P3:DB3:paid,P4:DB1:paid",)
    assert wh.one("select count(*), min(delivery_id), max(delivery_id) from staging.stg_jr__deposits "
                  "where unit = 'JR-ICBC' and as_of_date = %s", OCT) == (2, icbc_nov, icbc_nov)
    assert wh.one("select count(*), max(balance) from staging.stg_jr__deposits "
                  "where unit = 'JR-ABC' and as_of_date = %s", OCT) == (2, 101)

    # day 3: redeliveries supersede Nov's pensions and ICBC's Nov snapshot (their rows are gone:
    # pensions and deposits are recomputed whole), a payment changes (delta)
    wh.deliver("RS-YLJ", "rs_pension", NOV, [pension(X_LOWER, "2026-11", 211)], sequence=2)
    wh.deliver("JR-ICBC", "jr_deposit", NOV, balances("ICBC", NOV, range(3)), sequence=2)
    wh.deliver("MZ", "mz_payment", date(2026, 11, 29), [payment("P1", "DB1", "paid", "2026-11-29 09:00", amount=950)])
    wh.build_empty()  # a structural check in between changes nothing the next build relies on
    assert wh.build() == {"stg_rs__pensions": "whole", "stg_mz__payments": "delta",
                                           "stg_jr__deposits": "whole"}
    wh.assert_equal()
    assert wh.one("select amount from staging.stg_rs__pensions where id_number = %s and pay_month = %s",
                  A18, date(2026, 9, 1)) == (100,)  # the superseded version is gone
    assert wh.one("select count(*) from staging.stg_rs__pensions where delivery_id = %s", nov_pensions) == (0,)
    assert wh.one("select count(*), max(balance) from staging.stg_jr__deposits "
                  "where unit = 'JR-ICBC' and as_of_date = %s", OCT) == (3, 102)  # Oct's first snapshot again

    # day 4: nothing new; then a snapshot and pensions again on the delta way
    assert set(wh.build().values()) == {"delta"}
    wh.assert_equal()
    wh.deliver("JR-ICBC", "jr_deposit", date(2026, 12, 31), balances("ICBC", NOV, range(1), 700))
    wh.deliver("RS-YLJ", "rs_pension", date(2026, 12, 31), [pension(X_UPPER, "2026-11", 212)])
    assert set(wh.build().values()) == {"delta"}
    wh.assert_equal()
    assert wh.one("select count(*), max(balance) from staging.stg_jr__deposits "
                  "where unit = 'JR-ICBC' and as_of_date = %s", NOV) == (1, 700)
