"""The rig (rig/) against the spec files: a tiny generated city, its deliveries, its planted
cases and expected warnings, determinism, and every fault write_delivery can make."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from rig import catalogue as cat
from rig import ids
from rig.generate import generate
from rig.landing import Faults, read_delivery, write_delivery
from rig.reference import warning_id

CAT = cat.load()
TZ = ZoneInfo("Asia/Shanghai")
F = date(2026, 11, 27)
DAYS = [F + timedelta(days=i) for i in range(3)]
D2, D3 = DAYS[1], DAYS[2]
PLANTED = {
    "dibao_payee_dead_years", "dibao_payee_dead_rural", "tekun_dead_ga_only", "elderly_dead_wj_only",
    "disability_dead_mz_only", "disability_living_member_dead", "orphan_payee_dead", "sources_disagree_earliest",
    "dirty_id_legacy15", "dirty_id_fullwidth", "dirty_id_lower_x", "dirty_id_apostrophe", "dirty_id_hyphens",
    "dirty_id_spaces", "neg_death_same_month_as_last_payment", "neg_death_on_first_of_last_paid_month",
    "neg_death_on_first_after_last_paid", "neg_reversed_after_death", "neg_deleted_case",
    "neg_temp_assistance_after_death", "neg_invalid_id_wrong_check", "neg_invalid_id_scientific",
    "neg_eldercare_subsidy_after_death", "late_death_new_warning", "reversal_shrinks", "reversal_withdraws",
    "redelivery_corrects_date", "redelivery_retracts_death",
}
PYTHON_ENCODING = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk"}


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rig") / "tiny"
    result = generate(out, "tiny", 42, F, 3)
    assert result.seconds < 30
    return out


def tree_hashes(root: Path, under: str = "") -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / under).rglob("*")) if p.is_file()}


def manifests(rig: Path) -> Iterator[Path]:
    yield from sorted(rig.glob("days/*/landing/*/*/*/manifest.json"))


def data_records(path: Path, unit: str, feed: str) -> tuple[list[str], list[list[object]]]:
    """Header and records of one data file, decoded strictly with the catalogue's encoding."""
    spec = CAT.delivery(unit, feed)
    if spec.format == "xlsx":
        wb = load_workbook(path, read_only=True)
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
        return [str(h) for h in rows[0]], rows[1:]
    raw = path.read_bytes()
    if spec.encoding == "utf-8-sig":
        assert raw.startswith(b"\xef\xbb\xbf"), f"{path} lacks its BOM"
    elif spec.encoding == "utf-8":
        assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode(PYTHON_ENCODING[spec.encoding or "utf-8"])  # strict: must decode
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter or ","))
    return rows[0], rows[1:]  # type: ignore[return-value]


# ---- generated deliveries against the catalogue ------------------------------------------
def test_layout_and_every_delivery_conforms(rig: Path) -> None:
    seen_units = set()
    for mf in manifests(rig):
        unit, feed, folder_date = mf.parts[-4], mf.parts[-3], mf.parts[-2]
        manifest = json.loads(mf.read_text(encoding="utf-8"))
        assert set(manifest) == {"unit", "feed", "business_date", "sequence", "files"}
        assert (manifest["unit"], manifest["feed"]) == (unit, feed)
        assert manifest["business_date"].replace("-", "") == folder_date
        spec, fspec = CAT.delivery(unit, feed), CAT.feed(feed)
        for f in manifest["files"]:
            path = mf.parent / f["name"]
            assert path.suffix == (".xlsx" if spec.format == "xlsx" else ".csv")
            assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
            header, records = data_records(path, unit, feed)
            assert header == list(fspec.columns)
            assert len(records) == f["rows"]
            for rec in records:
                assert len(rec) <= len(header)
                for col, value in zip(header, rec, strict=False):
                    if fspec.columns[col] in ("date", "month") and value not in (None, ""):
                        if not isinstance(value, datetime):
                            datetime.strptime(str(value), fspec.date_format or "%Y-%m-%d")
        seen_units.add(unit)
    assert seen_units == {d.unit for d in CAT.units_of("ga_death")}
    # every unit delivers every day (empty when nothing happened), the first day carries history
    for d in DAYS:
        assert len(list(rig.glob(f"days/{d:%Y%m%d}/landing/*/ga_death/{d:%Y%m%d}/manifest.json"))) == 13
    first = [json.loads(p.read_text())["files"][0]["rows"] for p in rig.glob("days/20261127/landing/*/*/*/manifest.json")]
    assert sum(first) > 300


def test_redelivery_is_a_higher_sequence_in_a_later_day(rig: Path) -> None:
    folder = rig / "days" / f"{D3:%Y%m%d}" / "landing" / "GA-HG" / "ga_death" / f"{D2:%Y%m%d}"
    again, rows = read_delivery(folder)
    first, rows_before = read_delivery(rig / "days" / f"{D2:%Y%m%d}" / "landing" / "GA-HG" / "ga_death" / f"{D2:%Y%m%d}")
    assert (first["sequence"], again["sequence"]) == (1, 2)
    assert len(rows) == len(rows_before) - 1  # the retracted death is left out
    changed = [(a["死亡日期"], b["死亡日期"]) for a in rows_before for b in rows
               if a["公民身份号码"] == b["公民身份号码"] and a["死亡日期"] != b["死亡日期"]]
    assert len(changed) == 1


def test_api_files(rig: Path) -> None:
    feed = CAT.feed("wj_death_certificate")
    for d in DAYS:
        path = rig / "days" / f"{d:%Y%m%d}" / "api" / "wj_death_certificate" / f"{d:%Y-%m-%d}.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(records, list) and records
        for r in records:
            assert list(r) == list(feed.columns)
            assert all(v is None or isinstance(v, str | int | float) for v in r.values())
            date.fromisoformat(r["death_date"])


def test_mz_tables(rig: Path) -> None:
    db_feeds = [d.feed for d in CAT.deliveries if d.mode == "db"]
    assert len(db_feeds) == 14
    for i, d in enumerate(DAYS):
        folder = rig / "days" / f"{d:%Y%m%d}" / "mz"
        assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(CAT.table_of(f) for f in db_feeds)
        for name in db_feeds:
            feed = CAT.feed(name)
            with (folder / f"{CAT.table_of(name)}.csv").open(encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh))
                assert fh.name and list(rows[0] if rows else feed.columns) == list(feed.columns)
            keys = [tuple(r[k] for k in feed.key) for r in rows]
            assert len(keys) == len(set(keys)), f"{name} repeats a key on {d}"
            end = datetime.combine(d + timedelta(days=1), datetime.min.time(), TZ)
            for r in rows:
                t = datetime.fromisoformat(r["updated_at"])
                assert t < end and (i == 0 or t >= end - timedelta(days=1))
                if "deleted" in r:
                    assert r["deleted"] in ("true", "false")
                for col, typ in feed.columns.items():
                    if col.endswith("id_number") and r[col]:
                        assert ids.normalise(r[col]) == r[col], f"mz carries a dirty number {r[col]!r}"
                    if typ in ("date", "month") and r[col]:
                        parsed = date.fromisoformat(r[col])
                        assert typ != "month" or parsed.day == 1
    history = rig / "days" / "20261127" / "mz"
    for name in db_feeds:
        with (history / f"{CAT.table_of(name)}.csv").open(encoding="utf-8") as fh:
            assert sum(1 for _ in fh) > 10, f"{name} is nearly empty"
    # dibao: one payment per household-month, the applicant paid the household's amount
    with (history / "payment.csv").open(encoding="utf-8") as fh:
        payments = list(csv.DictReader(fh))
    assert {p["program"] for p in payments} >= {"dibao", "tekun", "orphan", "unsupported_child", "temp_assistance",
                                                  "disability_living", "disability_care", "elderly_allowance",
                                                  "eldercare_subsidy"}
    assert min(p["pay_month"] for p in payments) == "2016-01-01"
    assert any(p["status"] == "reversed" for p in payments)
    first = [p for p in payments if p["payment_id"].endswith("-1") and p["program"] == "dibao"]
    assert len({(p["case_ref"], p["pay_month"]) for p in first}) == len(first)
    with (history / "dibao_member.csv").open(encoding="utf-8") as fh:
        applicants = {(m["household_id"], m["id_number"]) for m in csv.DictReader(fh) if m["relation"] == "applicant"}
    assert all((p["case_ref"], p["payee_id_number"]) in applicants for p in first)
    by_program = {}
    for p in payments:
        by_program[p["program"]] = by_program.get(p["program"], 0) + 1
    assert max(by_program, key=by_program.__getitem__) == "dibao"  # the largest programme


def test_identity_dirt_in_partner_feeds(rig: Path) -> None:
    raws: list[str] = []
    for mf in manifests(rig):
        _, rows = read_delivery(mf.parent)
        raws += [r["公民身份号码"] for r in rows]
    for path in rig.glob("days/*/api/wj_death_certificate/*.json"):
        raws += [r["id_number"] for r in json.loads(path.read_text(encoding="utf-8"))]
    kinds = {
        "lower_x": lambda s: re.fullmatch(r"\d{17}x", s),
        "fullwidth": lambda s: re.search(r"[０-９Ｘ]", s),
        "spaces": lambda s: re.search(r"\s", s),
        "hyphens": lambda s: "-" in s,
        "legacy15": lambda s: re.fullmatch(r"\d{15}", s),
        "apostrophe": lambda s: s.startswith("'"),
        "scientific": lambda s: "E+" in s,
        "wrong_check": lambda s: re.fullmatch(r"\d{17}[\dX]", s) and ids.normalise(s) is None,
    }
    counts = {k: sum(1 for s in raws if f(s)) for k, f in kinds.items()}
    assert all(counts.values()), counts
    dirty = sum(1 for s in raws if s != ids.normalise(s))
    assert 0.02 < dirty / len(raws) < 0.15


def test_resident_id_examples() -> None:
    assert ids.check_char("11010519491231002") == "X"
    assert ids.normalise("210105491231002") == "210105194912310023"
    assert ids.normalise("210106198001011238") == "210106198001011238"
    assert ids.normalise("２１０１０５１９４９１２３１００２３") == "210105194912310023"
    assert ids.normalise("11010519491231002x") == "11010519491231002X"
    for bad in ("2.10105E+17", "210105194912310024", "210105194902300023", "21010519491231002"):
        assert ids.normalise(bad) is None
    assert warning_id("W01", "dibao", "DB2101050001234", "210105194912310023") == "W01-4090efb48ed29581bec4"


# ---- planted cases and expected warnings -------------------------------------------------
def expected(rig: Path, d: date) -> dict[tuple[str, str, str, str], dict[str, str]]:
    with (rig / "expected" / f"{d:%Y%m%d}" / "warnings.csv").open(encoding="utf-8") as fh:
        return {(r["rule"], r["program"], r["case_ref"], r["subject"]): r for r in csv.DictReader(fh)}


def planted(rig: Path) -> list[dict[str, str]]:
    with (rig / "expected" / "planted_cases.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_planted_case_is_listed_and_reflected(rig: Path) -> None:
    rows = planted(rig)
    assert {r["case"] for r in rows} == PLANTED
    assert {r["business_date"] for r in rows} == {d.isoformat() for d in DAYS}
    fire = no_fire = 0
    for r in rows:
        w = expected(rig, date.fromisoformat(r["business_date"])).get((r["rule"], r["program"], r["case_ref"], r["subject"]))
        if r["expect_fire"] == "true":
            fire += 1
            assert w is not None, r["case"]
            assert (w["months"], w["amount_at_risk"], w["severity"]) == (r["months"], r["amount_at_risk"], "high")
        else:
            no_fire += 1
            assert w is None, r["case"]
    assert fire > 20 and no_fire > 20


def test_expected_warnings_file(rig: Path) -> None:
    for d in DAYS:
        with (rig / "expected" / f"{d:%Y%m%d}" / "warnings.csv").open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == ["warning_id", "rule", "program", "case_ref", "subject", "district_code",
                                         "period_start", "period_end", "months", "amount_at_risk", "severity"]
            rows = list(reader)
        assert len(rows) > 20
        for r in rows:
            assert r["warning_id"] == warning_id(r["rule"], r["program"], r["case_ref"], r["subject"])
            assert r["program"] not in ("temp_assistance", "eldercare_subsidy")
            assert r["district_code"] in CAT.districts
            assert date.fromisoformat(r["period_start"]).day == 1 and r["period_start"] <= r["period_end"]
            assert re.fullmatch(r"\d+\.\d\d", r["amount_at_risk"])


def test_later_days_change_the_warnings(rig: Path) -> None:
    by_case = {(r["case"], r["business_date"]): r for r in planted(rig)}

    def months(case: str, d: date) -> int:
        r = by_case[(case, d.isoformat())]
        return int(r["months"]) if r["expect_fire"] == "true" else 0

    assert (months("late_death_new_warning", F), months("late_death_new_warning", D2)) == (0, 3)
    assert months("reversal_shrinks", D2) == months("reversal_shrinks", F) - 2
    assert (months("reversal_withdraws", D2), months("reversal_withdraws", D3)) == (2, 0)
    assert [months("redelivery_corrects_date", d) for d in DAYS] == [0, 1, 7]
    assert [months("redelivery_retracts_death", d) for d in DAYS] == [0, 2, 0]
    assert set(expected(rig, F)) != set(expected(rig, D2)) != set(expected(rig, D3))


# ---- determinism ---------------------------------------------------------------------------
def test_same_seed_same_bytes(rig: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", "tiny", 42, F, 3)
    assert tree_hashes(tmp_path / "again") == tree_hashes(rig)


def test_fewer_days_is_a_prefix_and_another_seed_differs(rig: Path, tmp_path: Path) -> None:
    generate(tmp_path / "two", "tiny", 42, F, 2)
    for d in DAYS[:2]:
        sub = f"days/{d:%Y%m%d}"
        assert tree_hashes(tmp_path / "two", sub) == {k: v for k, v in tree_hashes(rig, sub).items()}
        assert (tmp_path / "two" / "expected" / f"{d:%Y%m%d}" / "warnings.csv").read_bytes() == \
            (rig / "expected" / f"{d:%Y%m%d}" / "warnings.csv").read_bytes()
    generate(tmp_path / "other", "tiny", 7, F, 1)
    assert (tmp_path / "other" / "days/20261127/mz/payment.csv").read_bytes() != \
        (rig / "days/20261127/mz/payment.csv").read_bytes()


# ---- write_delivery and its faults ---------------------------------------------------------
D = date(2026, 11, 28)


def deaths(n: int) -> list[dict[str, object]]:
    return [{"公民身份号码": ids.make_id("210105", date(1940, 1, 1 + i % 28), 2 * i + 1), "姓名": f"测试{i}",
             "死亡日期": date(2026, 11, 1 + i % 20), "注销日期": D, "派出所": "北陵派出所"} for i in range(n)]


def written(root: Path, unit: str = "GA-HP", feed: str = "ga_death", d: date = D) -> tuple[dict, Path]:
    folder = root / unit / feed / f"{d:%Y%m%d}"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest, folder / manifest["files"][0]["name"]


def test_write_delivery_follows_the_catalogue(tmp_path: Path) -> None:
    m = write_delivery(tmp_path, "GA-DD", "ga_death", D, deaths(4))
    manifest, path = written(tmp_path, "GA-DD")
    assert m == manifest and manifest["files"][0]["rows"] == 4 and manifest["sequence"] == 1
    raw = path.read_bytes()
    assert b"\r\n" in raw and "死亡日期".encode("gbk") in raw
    header, records = data_records(path, "GA-DD", "ga_death")
    assert header == list(CAT.feed("ga_death").columns) and records[0][2] == "20261101"
    # pipe-delimited GBK bank file, thousands separators in tax amounts
    write_delivery(tmp_path, "JR-BOCOM", "jr_deposit", date(2026, 10, 31),
                   [{"id_number": "210105194912310023", "account_no": "62**01", "product": "time",
                     "balance": 1234.5, "as_of_date": date(2026, 10, 31)}])
    _, path = written(tmp_path, "JR-BOCOM", "jr_deposit", date(2026, 10, 31))
    assert path.read_bytes().decode("gbk").splitlines()[1] == "210105194912310023|62**01|time|1234.50|2026-10-31"
    write_delivery(tmp_path, "SC-SWJ", "sw_income", date(2026, 10, 31),
                   [{"纳税人身份证号": "210105194912310023", "姓名": "张三", "所属期": date(2026, 10, 1),
                     "扣缴单位": "某公司", "收入额": 12345.67, "已缴税额": 0}])
    _, path = written(tmp_path, "SC-SWJ", "sw_income", date(2026, 10, 31))
    assert '"12,345.67"' in path.read_bytes().decode("gbk") and ",202610," in path.read_bytes().decode("gbk")


def test_write_delivery_xlsx(tmp_path: Path) -> None:
    write_delivery(tmp_path / "a", "GA-FK", "ga_death", D, deaths(3))
    write_delivery(tmp_path / "b", "GA-FK", "ga_death", D, deaths(3))
    write_delivery(tmp_path / "c", "GA-LZ", "ga_death", D, deaths(3), date_cells=True)
    (ma, pa), (mb, _) = written(tmp_path / "a", "GA-FK"), written(tmp_path / "b", "GA-FK")
    assert ma["files"][0]["sha256"] == mb["files"][0]["sha256"], "xlsx bytes must be deterministic"
    header, records = data_records(pa, "GA-FK", "ga_death")
    assert header == list(CAT.feed("ga_death").columns) and records[0][2] == "20261101"
    _, pc = written(tmp_path / "c", "GA-LZ")
    assert isinstance(data_records(pc, "GA-LZ", "ga_death")[1][0][2], datetime)


@pytest.mark.parametrize("fault", ["checksum_mismatch", "row_count_mismatch"])
def test_manifest_faults(tmp_path: Path, fault: str) -> None:
    write_delivery(tmp_path, "GA-HP", "ga_death", D, deaths(5), faults=fault)
    manifest, path = written(tmp_path)
    sha_ok = hashlib.sha256(path.read_bytes()).hexdigest() == manifest["files"][0]["sha256"]
    rows_ok = len(data_records(path, "GA-HP", "ga_death")[1]) == manifest["files"][0]["rows"]
    assert (sha_ok, rows_ok) == ((False, True) if fault == "checksum_mismatch" else (True, False))


def test_no_manifest(tmp_path: Path) -> None:
    write_delivery(tmp_path, "GA-HP", "ga_death", D, deaths(2), faults="no_manifest")
    folder = tmp_path / "GA-HP" / "ga_death" / f"{D:%Y%m%d}"
    assert [p.name for p in folder.iterdir()] == ["ga_death_20261128.csv"]


def test_column_faults(tmp_path: Path) -> None:
    write_delivery(tmp_path / "x", "GA-HP", "ga_death", D, deaths(2), faults="extra_column")
    header, records = data_records(written(tmp_path / "x")[1], "GA-HP", "ga_death")
    assert header == [*CAT.feed("ga_death").columns, "备注"] and all(len(r) == 6 and r[-1] for r in records)
    write_delivery(tmp_path / "y", "GA-HP", "ga_death", D, deaths(2), faults={"missing_column": "派出所"})
    header, records = data_records(written(tmp_path / "y")[1], "GA-HP", "ga_death")
    assert "派出所" not in header and all(len(r) == 4 for r in records)


def test_bad_rows(tmp_path: Path) -> None:
    write_delivery(tmp_path, "GA-DD", "ga_death", D, deaths(6), faults={"bad_rows": {1: "date", 3: "fields", 4: "short"}})
    manifest, path = written(tmp_path, "GA-DD")
    _, records = data_records(path, "GA-DD", "ga_death")
    assert manifest["files"][0]["rows"] == 6 == len(records)
    with pytest.raises(ValueError):
        datetime.strptime(str(records[1][2]), "%Y%m%d")
    assert [len(r) for r in records] == [5, 5, 5, 6, 4, 5]
    rows = [{"id_number": "210105194912310023", "account_no": "62**01", "product": "time", "balance": 10,
             "as_of_date": date(2026, 10, 31)}] * 2
    write_delivery(tmp_path, "JR-ICBC", "jr_deposit", date(2026, 10, 31), rows, faults=Faults(bad_rows={0: "amount"}))
    _, path = written(tmp_path, "JR-ICBC", "jr_deposit", date(2026, 10, 31))
    _, records = data_records(path, "JR-ICBC", "jr_deposit")
    with pytest.raises(ArithmeticError):
        __import__("decimal").Decimal(records[0][3])
    with pytest.raises(ValueError):
        write_delivery(tmp_path, "GA-HP", "ga_death", D, deaths(1), faults={"bad_rows": {0: "amount"}})


def test_empty_and_quoted_newline(tmp_path: Path) -> None:
    write_delivery(tmp_path / "e", "GA-HP", "ga_death", D, deaths(3), faults="empty")
    manifest, path = written(tmp_path / "e")
    assert manifest["files"][0]["rows"] == 0 and path.read_text(encoding="utf-8").count("\n") == 1
    write_delivery(tmp_path / "q", "GA-HP", "ga_death", D, deaths(3), faults="quoted_newline")
    manifest, path = written(tmp_path / "q")
    text = path.read_text(encoding="utf-8")
    assert manifest["files"][0]["rows"] == 3 == len(data_records(path, "GA-HP", "ga_death")[1])
    assert text.count("\n") == 5 and '"北陵派出所\n(续)"' in text


def test_redelivery_replaces_the_folder(tmp_path: Path) -> None:
    write_delivery(tmp_path, "GA-HP", "ga_death", D, deaths(5), file_name="first.csv")
    m2 = write_delivery(tmp_path, "GA-HP", "ga_death", D, deaths(2), sequence=2)
    folder = tmp_path / "GA-HP" / "ga_death" / f"{D:%Y%m%d}"
    assert sorted(p.name for p in folder.iterdir()) == ["ga_death_20261128.csv", "manifest.json"]
    assert m2["sequence"] == 2 and read_delivery(folder)[0]["files"][0]["rows"] == 2
    m3 = write_delivery(tmp_path, "GA-HP", "ga_death", D, deaths(5), sequence=3, max_rows_per_file=2)
    assert [f["rows"] for f in m3["files"]] == [2, 2, 1] and len(read_delivery(folder)[1]) == 5
