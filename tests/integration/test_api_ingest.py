"""API deliveries per delivery.md against the rig's partner API over real HTTP."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ingest.catalogue import load_catalogue
from ingest.partner_api import PartnerApiClient, PartnerApiError, candidate_dates, load_api_deliveries
from rig.partner_api import PartnerApiServer

CAT = load_catalogue()
WJ = CAT.delivery("WJ-WJW", "wj_death_certificate")
TOKEN = "partner-token"
D1, D2 = date(2026, 11, 28), date(2026, 11, 29)


def certificates(n: int, start: int = 0) -> list[dict]:
    return [{"certificate_no": f"C{start + i:07d}", "id_number": "210105194912310023", "name": "张三",
             "death_date": "2026-11-01", "institution": "盛京医院"} for i in range(n)]


def publish(root, feed: str, day: date, records: list) -> None:
    (root / feed).mkdir(parents=True, exist_ok=True)
    (root / feed / f"{day.isoformat()}.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def api(tmp_path):
    server = PartnerApiServer(tmp_path, TOKEN)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def waits():
    return []


def client(server, waits, token: str = TOKEN) -> PartnerApiClient:
    return PartnerApiClient(server.base_url, token, sleep=waits.append, max_attempts=4)


def test_pages_are_followed_and_every_record_loads_once(warehouse, api, tmp_path, waits):
    publish(tmp_path, "wj_death_certificate", D1, certificates(2345))
    [outcome] = load_api_deliveries(warehouse, client(api, waits), WJ, D1, D1)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2345)
    assert warehouse.execute("select count(distinct certificate_no) from raw.wj_death_certificate").fetchone()[0] == 2345
    pages = [r for r in api.requests if "/v1/" in str(r)]
    assert len(pages) == 3
    again = load_api_deliveries(warehouse, client(api, waits), WJ, D1, D1)
    assert again == []  # already loaded: not even asked again


def test_unpublished_date_is_asked_again_next_run(warehouse, api, tmp_path, waits):
    publish(tmp_path, "wj_death_certificate", D1, certificates(3))
    outcomes = load_api_deliveries(warehouse, client(api, waits), WJ, D1, D2)
    assert [(o.business_date, o.status) for o in outcomes] == [(D1, "loaded"), (D2, "not_published")]
    assert warehouse.execute("select count(*) from meta.deliveries").fetchone()[0] == 1
    publish(tmp_path, "wj_death_certificate", D2, certificates(2, start=100))
    [late] = load_api_deliveries(warehouse, client(api, waits), WJ, D1, D2)
    assert (late.business_date, late.rows_loaded) == (D2, 2)


def test_429_honours_retry_after_and_503_backs_off(warehouse, api, tmp_path, waits):
    publish(tmp_path, "wj_death_certificate", D1, certificates(5))
    api.inject(429, count=1, retry_after=7)
    api.inject(503, count=2)
    [outcome] = load_api_deliveries(warehouse, client(api, waits), WJ, D1, D1)
    assert outcome.rows_loaded == 5
    assert waits[0] == 7 and len(waits) == 3


@pytest.mark.parametrize("expired", [False, True])
def test_401_and_403_fail_fast(warehouse, api, tmp_path, waits, expired):
    publish(tmp_path, "wj_death_certificate", D1, certificates(5))
    token = TOKEN if expired else "wrong-token"
    if expired:
        api.expire(TOKEN)
    with pytest.raises(PartnerApiError, match="40[13]"):
        load_api_deliveries(warehouse, client(api, waits, token), WJ, D1, D1)
    assert waits == []
    assert warehouse.execute("select count(*) from raw.wj_death_certificate").fetchone()[0] == 0


def test_retries_run_out_with_a_clear_error(warehouse, api, tmp_path, waits):
    publish(tmp_path, "wj_death_certificate", D1, certificates(5))
    api.inject(502, count=10)
    with pytest.raises(PartnerApiError, match="gave up after 4 attempts"):
        load_api_deliveries(warehouse, client(api, waits), WJ, D1, D1)


def test_bad_values_are_quarantined_and_missing_columns_reject(warehouse, api, tmp_path, waits):
    rows = certificates(4)
    rows[2]["death_date"] = "2026/11/01"
    publish(tmp_path, "wj_death_certificate", D1, rows)
    broken = [{k: v for k, v in r.items() if k != "institution"} for r in certificates(2)]
    publish(tmp_path, "wj_death_certificate", D2, broken)
    first, second = load_api_deliveries(warehouse, client(api, waits), WJ, D1, D2)
    assert (first.rows_loaded, first.rows_quarantined) == (3, 1)
    assert warehouse.execute("select line, reason from meta.quarantine").fetchone() == (3, "death_date: bad date '2026/11/01' (expected %Y-%m-%d)")
    assert second.status == "rejected" and "institution" in second.reason


def test_monthly_api_feed_asks_only_for_month_ends():
    ccb = CAT.delivery("JR-CCB", "jr_deposit")
    # the first delivery of a monthly feed is the latest month-end published by the first run
    assert candidate_dates(date(2026, 9, 15), date(2026, 11, 29), ccb) == [
        date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]
    assert candidate_dates(date(2026, 9, 2), date(2026, 9, 29), ccb) == [date(2026, 7, 31), date(2026, 8, 31)]
    assert len(candidate_dates(D1, D2, WJ)) == 2
