"""The rig's publishing into a real PostgreSQL and its partner API over real HTTP."""

from __future__ import annotations

import base64
import csv
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests

from ingest.localpg import LocalCluster
from rig import catalogue as cat
from rig.generate import generate
from rig.partner_api import PartnerApiServer
from rig.publish import READER_PASSWORD, READER_ROLE, publish

CAT = cat.load()
F = date(2026, 11, 27)
DAYS = [F + timedelta(days=i) for i in range(3)]
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cluster() -> LocalCluster:
    c = LocalCluster()
    c.start()
    return c


@pytest.fixture
def source_db(cluster: LocalCluster) -> Iterator[tuple[str, str]]:
    """A fresh, uniquely named source database: (admin DSN, mz_reader DSN); dropped afterwards."""
    name = f"rig_test_{uuid.uuid4().hex[:10]}"
    dsn = cluster.create_database(name)
    try:
        yield dsn, f"postgresql://{READER_ROLE}:{READER_PASSWORD}@127.0.0.1:{cluster.port}/{name}"
    finally:
        with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rig") / "tiny"
    generate(out, "tiny", 42, F, 3)
    return out


def distinct_keys(rig: Path, feed: str, through: date) -> int:
    spec = CAT.feed(feed)
    keys = set()
    for d in DAYS:
        if d <= through:
            with (rig / "days" / f"{d:%Y%m%d}" / "mz" / f"{CAT.table_of(feed)}.csv").open(encoding="utf-8") as fh:
                keys |= {tuple(r[k] for k in spec.key) for r in csv.DictReader(fh)}
    return len(keys)


def counts(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        return {CAT.table_of(f): conn.execute(f"select count(*) from mz.{CAT.table_of(f)}").fetchone()[0]  # type: ignore[index]
                for f in CAT.feeds if CAT.mode_of(f) == "db"}


def fingerprint(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        return conn.execute("select md5(string_agg(p::text, '|' order by payment_id)) from mz.payment p").fetchone()[0]  # type: ignore[index]


def test_publish_day_by_day(rig: Path, source_db: tuple[str, str], tmp_path: Path) -> None:
    dsn, reader = source_db
    landing, api = tmp_path / "landing", tmp_path / "api"
    report = publish(rig, F, dsn, landing_dir=landing, api_dir=api)
    file_deliveries = [d for d in CAT.deliveries if d.mode == "file"]  # each delivers on the first day
    assert report.mz_days_applied == ["20261127"] and report.deliveries_copied == len(file_deliveries)
    db_feeds = [f for f in CAT.feeds if CAT.mode_of(f) == "db"]
    assert counts(dsn) == {CAT.table_of(f): distinct_keys(rig, f, F) for f in db_feeds}
    # nothing of a later day is visible: no landing folder, no API date, no mz row
    assert {p.name for p in landing.glob("*/ga_death/*")} == {"20261127"}
    assert {p.name for p in api.glob("*/*.json")} == {"2026-11-27.json", "2026-10-31.json"}  # + month-end
    assert {p.parent.name for p in api.glob("*/2026-10-31.json")} == {"jr_deposit"}
    assert {p.name for p in landing.glob("RS-SBZX/rs_contribution/*")} == {"20261031"}
    with psycopg.connect(dsn) as conn:
        latest = conn.execute("select max(updated_at) from mz.payment").fetchone()[0]  # type: ignore[index]
    assert latest < datetime.combine(DAYS[1], datetime.min.time(), TZ)

    # the read-only login reads and cannot write, even asking for a read-write transaction
    with psycopg.connect(reader) as conn:
        assert conn.execute("select count(*) from mz.dibao_household").fetchone()[0] > 0  # type: ignore[index]
    with psycopg.connect(reader) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("insert into mz.staff (staff_id, updated_at) values ('x', now())")
    with psycopg.connect(reader, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("begin read write")
            conn.execute("insert into mz.staff (staff_id, updated_at) values ('x', now())")
        conn.execute("rollback")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from rig_meta.applied_day")

    # publishing the same day again changes nothing
    before = (counts(dsn), fingerprint(dsn), {p: p.stat().st_mtime_ns for p in landing.rglob("*") if p.is_file()})
    again = publish(rig, F, dsn, landing_dir=landing, api_dir=api)
    assert (again.deliveries_copied, again.api_files_copied, again.mz_days_applied) == (0, 0, [])
    assert (counts(dsn), fingerprint(dsn), {p: p.stat().st_mtime_ns for p in landing.rglob("*") if p.is_file()}) == before

    # the rest of the days: deltas, a reversal, the day-3 redelivery with sequence 2
    report = publish(rig, DAYS[-1], dsn, landing_dir=landing, api_dir=api)
    assert report.mz_days_applied == ["20261128", "20261129"]
    assert counts(dsn) == {CAT.table_of(f): distinct_keys(rig, f, DAYS[-1]) for f in db_feeds}
    redelivered = json.loads((landing / "GA-HG" / "ga_death" / "20261128" / "manifest.json").read_text())
    assert redelivered["sequence"] == 2
    assert sorted(p.name for p in api.glob("wj_death_certificate/*.json")) == [f"{d:%Y-%m-%d}.json" for d in DAYS]
    with psycopg.connect(dsn) as conn:
        reversed_today = conn.execute("select count(*) from mz.payment where status = 'reversed' "
                                      "and updated_at >= '2026-11-28 00:00+08'").fetchone()[0]  # type: ignore[index]
    assert reversed_today == 4
    # publishing an earlier day after a later one never brings an older sequence back
    publish(rig, DAYS[1], dsn, landing_dir=landing, api_dir=api)
    assert json.loads((landing / "GA-HG" / "ga_death" / "20261128" / "manifest.json").read_text())["sequence"] == 2


def test_cli_publish_defaults_to_rig_folders(rig: Path, source_db: tuple[str, str]) -> None:
    dsn, _ = source_db
    out = subprocess.run([sys.executable, "-m", "rig", "publish", "--rig", str(rig), "--through", "2026-11-28",
                          "--mz-dsn", dsn], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["mz_days_applied"] == ["20261127", "20261128"]
    assert (rig / "landing" / "GA-HP" / "ga_death" / "20261128" / "manifest.json").exists()
    assert not (rig / "landing" / "GA-HP" / "ga_death" / "20261129").exists()
    assert (rig / "api" / "wj_death_certificate" / "2026-11-28.json").exists()


# ---- partner API ----------------------------------------------------------------------------
TOKEN = "partner-secret"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[PartnerApiServer]:
    feed = tmp_path / "wj_death_certificate"
    feed.mkdir()
    records = [{"certificate_no": f"C{i:05d}", "id_number": "210105194912310023", "name": "张三",
                "death_date": "2026-11-01", "institution": "沈阳市第一人民医院"} for i in range(2500)]
    (feed / "2026-11-28.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (feed / "2026-11-29.json").write_text("[]", encoding="utf-8")
    server = PartnerApiServer(tmp_path, TOKEN, expired_tokens=("old-token",))
    server.start()
    yield server
    server.stop()


def get(server: PartnerApiServer, params: dict[str, object], token: str | None = TOKEN,
        feed: str = "wj_death_certificate") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{server.base_url}/v1/{feed}", params=params, headers=headers, timeout=10)


def test_paging_is_complete_and_stable(api: PartnerApiServer) -> None:
    got, token, pages = [], None, 0
    while True:
        params: dict[str, object] = {"business_date": "2026-11-28", "page_size": 1000}
        if token:
            params["page_token"] = token
        body = get(api, params).json()
        assert body["total"] == 2500 and body["business_date"] == "2026-11-28"
        if token:  # the same token gives the same page
            assert get(api, params).json() == body
        got += body["records"]
        pages += 1
        token = body["next_page_token"]
        if token is None:
            break
    assert pages == 3 and [r["certificate_no"] for r in got] == [f"C{i:05d}" for i in range(2500)]
    empty = get(api, {"business_date": "2026-11-29", "page_size": 10}).json()
    assert (empty["records"], empty["next_page_token"], empty["total"]) == ([], None, 0)


def test_errors(api: PartnerApiServer) -> None:
    assert get(api, {"business_date": "2026-11-30", "page_size": 10}).status_code == 404
    assert get(api, {"business_date": "2026-11-28", "page_size": 10}, feed="ga_hukou").status_code == 404
    assert get(api, {"business_date": "2026-11-28", "page_size": 10}, token=None).status_code == 401
    assert get(api, {"business_date": "2026-11-28", "page_size": 10}, token="wrong").status_code == 401
    assert get(api, {"business_date": "2026-11-28", "page_size": 10}, token="old-token").status_code == 403
    assert get(api, {"business_date": "2026-11-28", "page_size": 1001}).status_code == 400
    assert get(api, {"business_date": "28/11/2026", "page_size": 10}).status_code == 400
    other_date = base64.urlsafe_b64encode(b'{"d":"2026-11-29","o":10}').decode().rstrip("=")
    assert get(api, {"business_date": "2026-11-28", "page_size": 10, "page_token": other_date}).status_code == 400
    api.expire(TOKEN)
    assert get(api, {"business_date": "2026-11-28", "page_size": 10}).status_code == 403


def test_injected_faults(api: PartnerApiServer) -> None:
    api.inject(429, count=2, retry_after=3)
    api.inject(503)
    params = {"business_date": "2026-11-28", "page_size": 5}
    first = get(api, params)
    assert first.status_code == 429 and first.headers["Retry-After"] == "3"
    assert get(api, params).status_code == 429
    assert get(api, params).status_code == 503
    assert get(api, params).status_code == 200
    for status in (502, 504):
        api.inject(status)
        assert get(api, params).status_code == status
    # the same over HTTP, for a server run from the command line
    hook = requests.post(f"{api.base_url}/_rig/faults", json={"status": 429, "count": 1, "retry_after": 7},
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert hook.status_code == 200
    assert get(api, params).headers["Retry-After"] == "7"
    assert [s for _, s in api.requests][-2:] == [200, 429]


def test_serves_a_published_rig_from_the_command_line(rig: Path, tmp_path: Path) -> None:
    publish(rig, DAYS[0], None, landing_dir=tmp_path / "landing", api_dir=tmp_path / "api")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "rig.partner_api", "--root", str(tmp_path / "api"),
                             "--port", str(port), "--token", TOKEN], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and "serving" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/v1/wj_death_certificate"
        for _ in range(50):
            try:
                resp = requests.get(url, params={"business_date": "2026-11-27", "page_size": 1000},
                                    headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        published = json.loads((tmp_path / "api" / "wj_death_certificate" / "2026-11-27.json").read_text("utf-8"))
        assert resp.status_code == 200 and resp.json()["total"] == len(published) > 0
        later = requests.get(url, params={"business_date": "2026-11-28"},
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert later.status_code == 404  # not published yet
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serves_every_api_feed_and_month_ends_only(rig: Path, tmp_path: Path) -> None:
    publish(rig, DAYS[-1], None, landing_dir=tmp_path / "landing", api_dir=tmp_path / "api")
    server = PartnerApiServer(tmp_path / "api", TOKEN)
    server.start()
    try:
        for feed in sorted({d.feed for d in CAT.deliveries if d.mode == "api"}):
            monthly = feed == "jr_deposit"
            business_date = "2026-10-31" if monthly else "2026-11-27"
            first = get(server, {"business_date": business_date, "page_size": 1000}, feed=feed)
            assert first.status_code == 200 and first.json()["total"] > 0, feed
            seen, token = len(first.json()["records"]), first.json()["next_page_token"]
            while token:
                page = get(server, {"business_date": business_date, "page_size": 1000, "page_token": token}, feed=feed)
                seen, token = seen + len(page.json()["records"]), page.json()["next_page_token"]
            assert seen == first.json()["total"]
            # a monthly feed exists for month-ends only: a business day is "not published"
            assert get(server, {"business_date": "2026-11-28"}, feed=feed).status_code == (404 if monthly else 200)
    finally:
        server.stop()
