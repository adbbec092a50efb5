"""jr_deposit (kind snapshot): a bank's delivery for an as_of_date replaces that bank's rows of
the same as_of_date whole; other banks and other dates stay. Files (csv, pipe/gbk, xlsx) and
the CCB's monthly API."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ingest.catalogue import load_catalogue
from ingest.files import load_file_deliveries
from ingest.partner_api import PartnerApiClient, load_api_deliveries
from rig.landing import write_delivery
from rig.partner_api import PartnerApiServer

CAT = load_catalogue()
SEP, OCT, NOV = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30)


def balances(bank: str, as_of: date, n: int, base: float = 100.0) -> list[dict]:
    return [{"id_number": f"2101051949123{i:05d}", "account_no": f"{bank}-62****{i:04d}", "product": "current",
             "balance": base + i, "as_of_date": as_of} for i in range(n)]


def by_bank_and_date(conn) -> dict[tuple[str, date], tuple[int, int]]:
    """(bank, as_of_date) -> (rows, sequence) of the raw rows, through the ledger."""
    rows = conn.execute("""select d.unit, r.as_of_date, count(*), max(r._sequence)
                           from raw.jr_deposit r join meta.deliveries d on d.delivery_id = r._delivery_id
                           group by 1, 2""").fetchall()
    return {(u, a): (n, s) for u, a, n, s in rows}


def load(conn, landing, unit):
    return load_file_deliveries(conn, landing, CAT.delivery(unit, "jr_deposit"))


@pytest.mark.parametrize("bank", ["JR-ICBC", "JR-BOCOM", "JR-BOC"])  # csv utf-8, pipe gbk, xlsx
def test_a_banks_redelivery_replaces_only_its_own_as_of_date(warehouse, tmp_path, bank):
    # first delivery (business date Oct 31) carries history: September and October balances
    write_delivery(tmp_path, bank, "jr_deposit", OCT, balances(bank, SEP, 4) + balances(bank, OCT, 5))
    write_delivery(tmp_path, "JR-ABC", "jr_deposit", OCT, balances("ABC", OCT, 3))
    load(warehouse, tmp_path, bank)
    load(warehouse, tmp_path, "JR-ABC")
    write_delivery(tmp_path, bank, "jr_deposit", NOV, balances(bank, NOV, 6))
    load(warehouse, tmp_path, bank)
    assert by_bank_and_date(warehouse) == {(bank, SEP): (4, 1), (bank, OCT): (5, 1), (bank, NOV): (6, 1),
                                           ("JR-ABC", OCT): (3, 1)}
    # the bank corrects October: the whole delivery of that date is replaced, nothing else moves
    write_delivery(tmp_path, bank, "jr_deposit", OCT, balances(bank, SEP, 4) + balances(bank, OCT, 2, 999),
                   sequence=2)
    outcomes = load(warehouse, tmp_path, bank)
    assert [(o.business_date, o.status) for o in outcomes] == [(OCT, "loaded"), (NOV, "seen")]
    assert by_bank_and_date(warehouse) == {(bank, SEP): (4, 2), (bank, OCT): (2, 2), (bank, NOV): (6, 1),
                                           ("JR-ABC", OCT): (3, 1)}
    assert warehouse.execute("""select min(balance)::int from raw.jr_deposit
                                where as_of_date = %s and account_no like %s""", (OCT, f"{bank}%")).fetchone() == (999,)
    statuses = warehouse.execute("""select unit, business_date, sequence, status from meta.deliveries
                                    order by unit, business_date, sequence""").fetchall()
    assert statuses == sorted([(bank, OCT, 1, "superseded"), (bank, OCT, 2, "loaded"), (bank, NOV, 1, "loaded"),
                               ("JR-ABC", OCT, 1, "loaded")])
    # rerun: nothing changes
    assert {o.status for o in load(warehouse, tmp_path, bank)} == {"seen"}
    assert warehouse.execute("select count(*) from raw.jr_deposit").fetchone()[0] == 4 + 2 + 6 + 3


def test_ccb_monthly_api_first_delivery_is_the_latest_published_month_end(warehouse, tmp_path):
    ccb = CAT.delivery("JR-CCB", "jr_deposit")

    def publish(day: date, rows: list[dict]) -> None:
        (tmp_path / "jr_deposit").mkdir(exist_ok=True)
        recs = [{**r, "as_of_date": r["as_of_date"].isoformat()} for r in rows]
        (tmp_path / "jr_deposit" / f"{day.isoformat()}.json").write_text(json.dumps(recs), encoding="utf-8")

    publish(OCT, balances("CCB", SEP, 2) + balances("CCB", OCT, 3))
    server = PartnerApiServer(tmp_path, "t")
    server.start()
    try:
        client = PartnerApiClient(server.base_url, "t", sleep=lambda s: None)
        first_run = date(2026, 11, 27)
        [o] = load_api_deliveries(warehouse, client, ccb, first_run, first_run)
        assert (o.business_date, o.status, o.rows_loaded) == (OCT, "loaded", 5)
        # the run for 30 November asks for November: not published yet (404), no ledger row
        [o] = load_api_deliveries(warehouse, client, ccb, first_run, NOV)
        assert (o.business_date, o.status) == (NOV, "not_published")
        publish(NOV, balances("CCB", NOV, 4))
        [o] = load_api_deliveries(warehouse, client, ccb, first_run, date(2026, 12, 3))
        assert (o.business_date, o.status, o.rows_loaded) == (NOV, "loaded", 4)
        assert load_api_deliveries(warehouse, client, ccb, first_run, date(2026, 12, 3)) == []
    finally:
        server.stop()
    assert by_bank_and_date(warehouse) == {("JR-CCB", SEP): (2, 1), ("JR-CCB", OCT): (3, 1), ("JR-CCB", NOV): (4, 1)}
