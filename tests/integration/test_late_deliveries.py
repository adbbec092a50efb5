"""Late and incomplete deliveries (ingest/lateness.py): recorded once past the cut-off, never
before; a delivery arriving afterwards still loads; the bounded wait; the freshness views."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import psycopg

from ingest import report
from ingest.catalogue import load_catalogue
from ingest.files import load_file_deliveries
from ingest.lateness import SHANGHAI, deadline, expected_dates, record_overdue, wait_for_delivery
from ingest.warehouse import ensure_schema
from rig.landing import write_delivery

CAT = load_catalogue()
HP = CAT.delivery("GA-HP", "ga_death")
WJ = CAT.delivery("WJ-WJW", "wj_death_certificate")
RS = CAT.delivery("RS-SBZX", "rs_contribution")
D1, D2 = date(2026, 11, 28), date(2026, 11, 29)
LONG_AFTER = datetime(2027, 1, 1, tzinfo=SHANGHAI)


def deaths(n: int) -> list[dict]:
    return [{"公民身份号码": f"21010519491231{i:04d}", "姓名": f"人{i}", "死亡日期": date(2020, 1, 1),
             "注销日期": date(2020, 2, 1), "派出所": "北陵派出所"} for i in range(n)]


def ledger(conn) -> list[tuple]:
    return conn.execute("select business_date, sequence, status from meta.deliveries "
                        "order by business_date, delivery_id").fetchall()


def test_cutoff_is_relative_to_the_business_date(monkeypatch):
    monkeypatch.setenv("LATE_CUTOFF_HOURS", "6")
    assert deadline(HP, D1) == datetime(2026, 11, 29, 6, 0, tzinfo=SHANGHAI)
    # a monthly delivery for October is published on 3 November
    assert deadline(RS, date(2026, 10, 31)) == datetime(2026, 11, 4, 6, 0, tzinfo=SHANGHAI)
    monkeypatch.setenv("LATE_CUTOFF_HOURS", "0")
    assert deadline(HP, D1) == datetime(2026, 11, 29, 0, 0, tzinfo=SHANGHAI)


def test_expected_dates_daily_and_monthly():
    assert expected_dates(HP, D1, D2) == [D1, D2]
    # first run 27 Nov: the monthly feed's first delivery is October's (published 3 Nov)
    assert expected_dates(RS, date(2026, 11, 27), date(2026, 12, 2)) == [date(2026, 10, 31)]
    assert expected_dates(RS, date(2026, 11, 27), date(2026, 12, 3)) == [date(2026, 10, 31), date(2026, 11, 30)]


def test_missing_delivery_is_late_once_and_loads_when_it_arrives(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3))
    load_file_deliveries(warehouse, tmp_path, HP)
    before_cutoff = deadline(HP, D2, 6) - timedelta(minutes=1)
    assert record_overdue(warehouse, HP, D1, D2, landing=tmp_path, now=before_cutoff, hours=6) == []
    [late] = record_overdue(warehouse, HP, D1, D2, landing=tmp_path, now=LONG_AFTER, hours=6)
    assert (late.business_date, late.status) == (D2, "late") and "cut-off 2026-11-30 06:00" in late.reason
    # reruns record nothing more
    assert record_overdue(warehouse, HP, D1, D2, landing=tmp_path, now=LONG_AFTER, hours=6) == []
    assert ledger(warehouse) == [(D1, 1, "loaded"), (D2, 0, "late")]
    # the delivery comes after all: it loads as usual, and the ledger shows both facts
    write_delivery(tmp_path, "GA-HP", "ga_death", D2, deaths(4))
    outcomes = load_file_deliveries(warehouse, tmp_path, HP)
    assert [o.status for o in outcomes] == ["seen", "loaded"]
    assert ledger(warehouse) == [(D1, 1, "loaded"), (D2, 0, "late"), (D2, 1, "loaded")]
    assert warehouse.execute("select count(*) from raw.ga_death where _business_date = %s", (D2,)).fetchone()[0] == 4
    assert record_overdue(warehouse, HP, D1, D2, landing=tmp_path, now=LONG_AFTER, hours=6) == []
    daily = warehouse.execute("""select business_date, deliveries_loaded, recorded_late, arrived_late, rows_loaded
                                 from meta.partner_freshness_daily where unit = 'GA-HP' order by 1""").fetchall()
    assert daily == [(D1, 1, 0, False, 3), (D2, 1, 1, True, 4)]


def test_folder_without_manifest_is_incomplete_past_the_cutoff(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3), faults="no_manifest")
    assert load_file_deliveries(warehouse, tmp_path, HP) == []  # still uploading: left alone
    assert record_overdue(warehouse, HP, D1, D1, landing=tmp_path, now=deadline(HP, D1, 6) - timedelta(seconds=1),
                          hours=6) == []
    [out] = record_overdue(warehouse, HP, D1, D1, landing=tmp_path, now=LONG_AFTER, hours=6)
    assert out.status == "incomplete" and "no manifest.json" in out.reason
    files = warehouse.execute("select files from meta.deliveries").fetchone()[0]
    assert files and files[0]["name"].endswith(".csv")
    assert record_overdue(warehouse, HP, D1, D1, landing=tmp_path, now=LONG_AFTER, hours=6) == []
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3))  # the upload finishes
    [loaded] = load_file_deliveries(warehouse, tmp_path, HP)
    assert (loaded.status, loaded.rows_loaded) == ("loaded", 3)
    assert ledger(warehouse) == [(D1, 0, "incomplete"), (D1, 1, "loaded")]


def test_rejected_delivery_is_not_also_late(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3), faults="checksum_mismatch")
    load_file_deliveries(warehouse, tmp_path, HP)
    assert record_overdue(warehouse, HP, D1, D1, landing=tmp_path, now=LONG_AFTER, hours=6) == []


def test_api_feed_is_late_too_and_db_feeds_never(warehouse):
    [late] = record_overdue(warehouse, WJ, D1, D1, now=LONG_AFTER, hours=6)
    assert (late.status, late.business_date) == ("late", D1)
    assert warehouse.execute("select mode from meta.deliveries").fetchone()[0] == "api"
    assert record_overdue(warehouse, CAT.delivery("MZ", "mz_payment"), D1, D1, now=LONG_AFTER) == []


class Clock:
    def __init__(self, start: datetime) -> None:
        self.t = start
        self.sleeps: list[float] = []
        self.on_sleep = None

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += timedelta(seconds=seconds)
        if self.on_sleep:
            self.on_sleep(len(self.sleeps))


def test_wait_polls_until_the_delivery_arrives(tmp_path):
    clock = Clock(datetime(2026, 11, 29, 2, 30, tzinfo=SHANGHAI))
    clock.on_sleep = lambda n: n == 3 and write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(2))
    assert wait_for_delivery(tmp_path, HP, D1, max_wait=60, poll=30, now=clock.now, sleep=clock.sleep)
    assert clock.sleeps == [30, 30, 30]


def test_wait_is_bounded_by_the_cutoff_and_zero_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("LATE_CUTOFF_HOURS", "1")
    clock = Clock(datetime(2026, 11, 29, 0, 50, tzinfo=SHANGHAI))
    assert not wait_for_delivery(tmp_path, HP, D1, max_wait=600, poll=240, now=clock.now, sleep=clock.sleep)
    assert clock.t == datetime(2026, 11, 29, 1, 0, tzinfo=SHANGHAI)  # stopped at the cut-off, not 10 h later
    monkeypatch.delenv("DELIVERY_WAIT_MINUTES", raising=False)
    clock = Clock(datetime(2026, 11, 29, 0, 50, tzinfo=SHANGHAI))
    assert not wait_for_delivery(tmp_path, HP, D1, now=clock.now, sleep=clock.sleep)
    assert clock.sleeps == []
    # a monthly feed waits only on the 3rd, for the previous month
    assert wait_for_delivery(tmp_path, RS, D1, max_wait=600, now=clock.now, sleep=clock.sleep)


def test_an_older_ledger_gets_the_new_statuses(fresh_db):
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("create schema meta")
        conn.execute("""create table meta.deliveries (
            delivery_id bigserial primary key, unit text not null, feed text not null, mode text not null,
            business_date date not null, sequence integer not null, fingerprint text not null,
            status text not null check (status in ('loaded', 'rejected', 'duplicate', 'superseded')),
            reason text, files jsonb, extra_columns text[], rows_loaded integer not null default 0,
            rows_quarantined integer not null default 0, seen_at timestamptz not null default now(),
            loaded_at timestamptz, superseded_by bigint references meta.deliveries (delivery_id),
            unique (unit, feed, business_date, sequence, fingerprint))""")
        ensure_schema(conn)
        ensure_schema(conn)  # idempotent
        record_overdue(conn, HP, D1, D1, landing=None, now=LONG_AFTER)
        assert conn.execute("select status from meta.deliveries").fetchone()[0] == "late"
        checks = conn.execute("""select count(*) from pg_constraint
                                 where conrelid = 'meta.deliveries'::regclass and contype = 'c'""").fetchone()[0]
        assert checks == 1


def test_partner_freshness_per_unit_and_the_morning_summary(warehouse, tmp_path):
    write_delivery(tmp_path, "GA-HP", "ga_death", D1, deaths(3), faults={"bad_rows": {0: "date"}})
    write_delivery(tmp_path, "GA-HP", "ga_death", D2, deaths(2))
    write_delivery(tmp_path, "GA-SH", "ga_death", D1, deaths(5))
    write_delivery(tmp_path, "GA-SH", "ga_death", D2, deaths(5), faults="row_count_mismatch")
    for unit in ("GA-HP", "GA-SH"):
        load_file_deliveries(warehouse, tmp_path, CAT.delivery(unit, "ga_death"))
    write_delivery(tmp_path, "GA-HP", "ga_death", D2, deaths(1), sequence=2)
    load_file_deliveries(warehouse, tmp_path, HP)
    record_overdue(warehouse, CAT.delivery("GA-DD", "ga_death"), D1, D2, landing=tmp_path, now=LONG_AFTER)
    rows = {r[0]: r[1:] for r in warehouse.execute(
        """select unit, last_business_date, deliveries_loaded, deliveries_rejected, deliveries_superseded,
                  deliveries_late, rows_loaded, rows_quarantined, latest_business_date, missing_latest
           from meta.partner_freshness where feed = 'ga_death'""").fetchall()}
    assert len(rows) == 13  # every branch of the catalogue, delivered or not
    assert rows["GA-HP"] == (D2, 2, 0, 1, 0, 2 + 1, 1, D2, False)
    assert rows["GA-SH"] == (D1, 1, 1, 0, 0, 5, 0, D2, True)
    assert rows["GA-DD"] == (None, 0, 0, 0, 2, 0, 0, D2, True)
    mz = warehouse.execute("select missing_latest from meta.partner_freshness where unit = 'MZ'").fetchall()
    assert mz and all(m is None for (m,) in mz)  # db pulls have no delivery to miss
    text = report.day_summary(warehouse, D2)
    assert "partner freshness" in text
    assert "GA-SH/ga_death" in text and "GA-DD/ga_death" in text
