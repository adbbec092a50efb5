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
PLANTED_RULES = {
    "w02_member_dead_not_removed", "w02_neg_member_removed", "w02_death_reported_day2",
    "w03_tekun_in_prison", "w03_dibao_member_in_prison", "w03_neg_community_correction",
    "w03_neg_pretrial_detention", "w03_release_reported_late",
    "w04_employer_income", "w04_neg_flexible_base", "w04_neg_resident_pension", "w04_neg_two_months_only",
    "w04_employee_pension", "w05_two_residential", "w05_member_commercial", "w05_neg_one_residential",
    "w05_cancelled_day3", "w06_member_car", "w06_neg_motorcycle", "w06_neg_car_sold_before",
    "w06_truck_reported_day2", "w07_tekun_legal_rep", "w07_dibao_member_shop", "w07_neg_revoked_before",
    "w08_member_public_employee", "w08_neg_post_ended", "w09_deposits_bocom", "w09_deposits_ccb_api",
    "w09_neg_below_threshold", "w10_handler_spouse", "w10_neg_divorced_spouse", "w11_unfiled_relative",
    "w11_neg_filed_relative", "w12_dibao_after_tekun", "w12_neg_first_approved", "w12_unsupported_after_orphan",
    "w12_neg_orphan_first", "w13_hukou_dalian", "w13_emigrated", "w13_neg_no_hukou_row",
    "w13_neg_moved_after_last_paid", "w14a_claim_for_dead_resident", "w14b_two_institutions",
    "w14b_neg_first_claim", "w14c_over_beds", "w14c_neg_previous_month", "w14d_over_rate", "w14d_neg_at_rate",
    "w15_father_alive", "w15_neg_parents_dead", "w15_neg_father_in_prison", "w16_care_grade3",
    "w16_neg_care_valid_cert", "w16_living_not_in_dibao", "w16_neg_living_in_dibao", "w17_aged_76",
    "w17_neg_exactly_80",
}
RULES = [f"W{i:02d}" for i in range(1, 18)]
PYTHON_ENCODING = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gbk"}


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rig") / "tiny"
    result = generate(out, "tiny", 42, F, 3)
    assert result.seconds < 60  # ~8 s on an idle core
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
    assert seen_units == {d.unit for d in CAT.deliveries if d.mode == "file"}
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
        if mf.parts[-3] != "ga_death":
            continue
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
def expected(rig: Path, d: date, name: str = "warnings.csv") -> dict[tuple[str, str, str, str], dict[str, str]]:
    with (rig / "expected" / f"{d:%Y%m%d}" / name).open(encoding="utf-8") as fh:
        return {(r["rule"], r["program"], r["case_ref"], r["subject"]): r for r in csv.DictReader(fh)}


def planted(rig: Path) -> list[dict[str, str]]:
    with (rig / "expected" / "planted_cases.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_planted_case_is_listed_and_reflected(rig: Path) -> None:
    rows = planted(rig)
    stated: set[str] = set()
    assert {r["case"] for r in rows} == PLANTED | PLANTED_RULES
    assert {r["business_date"] for r in rows} == {d.isoformat() for d in DAYS}
    fire = no_fire = 0
    for r in rows:
        w = expected(rig, date.fromisoformat(r["business_date"]), "warnings_all.csv").get(
            (r["rule"], r["program"], r["case_ref"], r["subject"]))
        if r["expect_fire"] == "true":
            fire += 1
            assert w is not None, r["case"]
            if r["rule"] == "W01":
                assert (w["months"], w["amount_at_risk"], w["severity"]) == (r["months"], r["amount_at_risk"], "high")
            elif r["months"]:  # the planter states months and amount from the world's own timeline
                assert (w["months"], w["amount_at_risk"]) == (r["months"], r["amount_at_risk"]), r["case"]
                stated.add(r["rule"])
        else:
            no_fire += 1
            assert w is None, r["case"]
    assert fire > 20 and no_fire > 20
    # every rule has planted cases that fire and negative controls that must not
    verdicts = {(r["rule"], r["expect_fire"]) for r in rows}
    assert verdicts == {(rule, v) for rule in RULES for v in ("true", "false")}
    assert stated >= {"W03", "W06", "W08", "W09", "W12", "W14", "W17"}


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
            assert r["rule"] != "W01" or r["program"] not in ("temp_assistance", "eldercare_subsidy")
            assert r["rule"] != "W14" or r["program"] == "eldercare_subsidy"
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



# ---- every feed of the catalogue, in its unit's own format --------------------------------
FIRST_ME = date(2026, 10, 31)  # the latest month-end published (on the 3rd) by 2026-11-27


def test_every_feed_is_delivered(rig: Path) -> None:
    assert len(CAT.feeds) == 37
    for spec in CAT.deliveries:
        for i, d in enumerate(DAYS):
            day = rig / "days" / f"{d:%Y%m%d}"
            bd = (FIRST_ME if i == 0 else None) if spec.frequency == "monthly" else d
            if spec.mode == "db":
                assert (day / "mz" / f"{CAT.table_of(spec.feed)}.csv").is_file()
            elif spec.mode == "api":
                files = sorted(p.stem for p in (day / "api" / spec.feed).glob("*.json"))
                assert files == ([f"{bd:%Y-%m-%d}"] if bd else []), (spec.unit, spec.feed, d, files)
            else:
                folders = sorted(p.name for p in (day / "landing" / spec.unit / spec.feed).glob("*"))
                if spec.feed != "ga_death":  # ga_death also carries a redelivery
                    assert folders == ([f"{bd:%Y%m%d}"] if bd else []), (spec.unit, spec.feed, d, folders)
    summary = json.loads((rig / "rig.json").read_text(encoding="utf-8"))
    assert summary["not_generated"] == []
    for feed, counts in summary["rows"].items():
        assert counts[0] > 0, f"{feed} delivers no history"


def test_monthly_history_and_unit_formats(rig: Path) -> None:
    day = rig / "days" / f"{F:%Y%m%d}" / "landing"
    # monthly feeds: the first delivery carries every month from 2016-01 up to its month-end
    for unit, feed, col in (("RS-SBZX", "rs_contribution", "contribution_month"), ("RS-YLJ", "rs_pension", "pay_month"),
                            ("ZJ-GJJ", "zj_provident_fund", "deposit_month"), ("SC-SWJ", "sw_income", "所属期")):
        folder = day / unit / feed / f"{FIRST_ME:%Y%m%d}"
        manifest, rows = read_delivery(folder)
        assert manifest["business_date"] == FIRST_ME.isoformat()
        fmt = CAT.feed(feed).date_format
        months = {datetime.strptime(r[col], fmt).date() for r in rows}
        assert min(months) == date(2016, 1, 1) and max(months) == date(2026, 10, 1), feed
    # the `|`-delimited GBK banks, CRLF; utf-8-sig with BOM; sw_income's thousands separators
    for unit in ("JR-BOCOM", "JR-SJB"):
        raw = next((day / unit / "jr_deposit" / f"{FIRST_ME:%Y%m%d}").glob("*.csv")).read_bytes()
        first_line = raw.decode("gbk").split("\r\n", 1)[0]
        assert first_line.split("|") == list(CAT.feed("jr_deposit").columns)
    raw = next((day / "ZJ-GJJ" / "zj_provident_fund" / f"{FIRST_ME:%Y%m%d}").glob("*.csv")).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and re.search(rb",20\d\d-\d\d,", raw)
    _, rows = read_delivery(day / "SC-SWJ" / "sw_income" / f"{FIRST_ME:%Y%m%d}")
    assert any("," in r["收入额"] for r in rows)
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d\d", r["收入额"]) for r in rows)
    # jr_deposit of CCB comes from the API, at the month-end only
    records = json.loads((rig / "days" / f"{F:%Y%m%d}" / "api" / "jr_deposit" / f"{FIRST_ME:%Y-%m-%d}.json").read_text("utf-8"))
    assert records and all(r["as_of_date"][8:] in ("28", "29", "30", "31") for r in records)
    # xlsx units: GA-LZ keeps date cells, the others write text
    for unit, feed in (("GA-CRJ", "ga_emigration"), ("RS-JYZX", "rs_unemployment"), ("SF-JYJ", "sf_prisoner"),
                       ("ZJ-ZSB", "zj_expropriation"), ("JR-BOC", "jr_deposit")):
        path = next((day / unit / feed).glob("*/*.xlsx"))
        header, records_ = data_records(path, unit, feed)
        assert header == list(CAT.feed(feed).columns) and records_


def test_api_feeds(rig: Path) -> None:
    for spec in CAT.deliveries:
        if spec.mode != "api":
            continue
        feed = CAT.feed(spec.feed)
        n = 0
        for path in rig.glob(f"days/*/api/{spec.feed}/*.json"):
            for r in json.loads(path.read_text(encoding="utf-8")):
                assert list(r) == list(feed.columns)
                assert all(v is None or isinstance(v, str | int | float) for v in r.values())
                for col, typ in feed.columns.items():
                    if typ in ("date", "month") and r[col] is not None:
                        datetime.strptime(r[col], feed.date_format or "%Y-%m-%d")
                n += 1
        assert n > 0, spec.feed


def partner_ids(rig: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for mf in manifests(rig):
        feed = mf.parts[-3]
        _, rows = read_delivery(mf.parent)
        cols = [c for c in CAT.feed(feed).columns if c.endswith("id_number") or "身份" in c]
        out.setdefault(feed, []).extend(r[c] for r in rows for c in cols if r.get(c))
    for path in rig.glob("days/*/api/*/*.json"):
        feed = path.parts[-2]
        cols = [c for c in CAT.feed(feed).columns if c.endswith("id_number")]
        out.setdefault(feed, []).extend(str(r[c]) for r in json.loads(path.read_text("utf-8")) for c in cols if r.get(c))
    return out


def test_identity_dirt_in_every_partner_feed(rig: Path) -> None:
    by_feed = partner_ids(rig)
    partner_feeds = {d.feed for d in CAT.deliveries if d.mode != "db"} - {"sc_enterprise"} | {"sc_enterprise"}
    assert set(by_feed) >= {f for f in partner_feeds if any(c.endswith("id_number") or "身份" in c
                                                            for c in CAT.feed(f).columns)}
    for feed, raws in by_feed.items():
        dirty = [s for s in raws if s != ids.normalise(s)]
        if len(raws) >= 200:
            assert 0.01 < len(dirty) / len(raws) < 0.15, (feed, len(dirty), len(raws))
    every = [s for raws in by_feed.values() for s in raws]
    assert any(re.fullmatch(r"\d{15}", s) for s in every)
    assert any(re.search(r"[０-９]", s) for s in every)
    assert any(ids.normalise(s) is None for s in every)


def test_all_rules_expected(rig: Path) -> None:
    for d in DAYS:
        everything = expected(rig, d, "warnings_all.csv")
        assert {k[0] for k in everything} == set(RULES)
        assert expected(rig, d) == everything  # by default warnings.csv holds every rule too
        for (rule, program, case_ref, subject), r in everything.items():
            assert r["warning_id"] == warning_id(rule, program, case_ref, subject)
            assert r["severity"] in ("high", "medium", "low")
            assert r["district_code"] in CAT.districts, r
    by_case = {(r["case"], r["business_date"]): r for r in planted(rig)}
    for case, d in (("w02_death_reported_day2", D2), ("w06_truck_reported_day2", D2)):
        assert (by_case[(case, F.isoformat())]["expect_fire"], by_case[(case, d.isoformat())]["expect_fire"]) == \
            ("false", "true")
    assert by_case[("w05_cancelled_day3", D3.isoformat())]["expect_fire"] == "false"
    shrink = [expected(rig, d, "warnings_all.csv")[("W03", r["program"], r["case_ref"], r["subject"])]["months"]
              for d in (F, D2) for r in [by_case[("w03_release_reported_late", d.isoformat())]]]
    assert int(shrink[1]) == 2 < int(shrink[0])



# ---- fault days ------------------------------------------------------------------------------
def test_warehouse_rules_option(tmp_path: Path) -> None:
    """warnings.csv can hold only the rules a warehouse implements (W01-only comparison)."""
    result = generate(tmp_path / "w01", "tiny", 42, F, 1, warehouse_rules=("W01",))
    rows = expected(tmp_path / "w01", F)
    assert rows and {k[0] for k in rows} == {"W01"}
    assert len(expected(tmp_path / "w01", F, "warnings_all.csv")) == len(result.expected[F]) > len(rows)


def test_fault_day(rig: Path, tmp_path: Path) -> None:
    out = tmp_path / "faulty"
    generate(out, "tiny", 42, F, 3, fault_days=[D2])
    d2, d3 = out / "days" / f"{D2:%Y%m%d}" / "landing", out / "days" / f"{D3:%Y%m%d}" / "landing"
    tag = f"{D2:%Y%m%d}"

    def manifest(root: Path, unit: str, feed: str) -> dict:
        return json.loads((root / unit / feed / tag / "manifest.json").read_text(encoding="utf-8"))

    def sha_ok(root: Path, unit: str, feed: str) -> bool:
        m = manifest(root, unit, feed)
        return all(hashlib.sha256((root / unit / feed / tag / f["name"]).read_bytes()).hexdigest() == f["sha256"]
                   for f in m["files"])

    assert not sha_ok(d2, "SF-ZY", "sf_dishonest_debtor")
    assert sha_ok(d3, "SF-ZY", "sf_dishonest_debtor") and manifest(d3, "SF-ZY", "sf_dishonest_debtor")["sequence"] == 2
    folder = d2 / "SF-SFJ" / "sf_community_correction" / tag
    assert folder.is_dir() and not (folder / "manifest.json").exists() and list(folder.glob("*.csv"))
    assert manifest(d3, "SF-SFJ", "sf_community_correction")["business_date"] == D2.isoformat()
    assert not (d2 / "SC-XZSP" / "sc_individual_business" / tag).exists()
    assert manifest(d3, "SC-XZSP", "sc_individual_business")["business_date"] == D2.isoformat()  # late delivery
    assert (manifest(d2, "GA-CGS", "ga_vehicle")["sequence"], manifest(d3, "GA-CGS", "ga_vehicle")["sequence"]) == (1, 2)
    first, again = manifest(d2, "RS-RSJ", "rs_public_employee"), manifest(d3, "RS-RSJ", "rs_public_employee")
    assert first["sequence"] == again["sequence"] == 1 and first["files"] != again["files"]  # a duplicate
    m = manifest(d2, "RS-JYZX", "rs_unemployment")
    _, rows = read_delivery(d2 / "RS-JYZX" / "rs_unemployment" / tag)
    assert m["files"][0]["rows"] == len(rows) + 1
    header, records = data_records(d2 / "GA-JG" / "ga_detention" / tag / manifest(d2, "GA-JG", "ga_detention")["files"][0]["name"],
                                   "GA-JG", "ga_detention")
    assert {len(r) for r in records} >= {len(header) - 1, len(header) + 1}
    assert any(r[header.index("detained_date")] == "2026-02-30" for r in records)
    header, _ = data_records(d2 / "WJ-CL" / "cl_disability_cert" / tag / f"cl_disability_cert_{tag}.csv", "WJ-CL",
                             "cl_disability_cert")
    assert header[-1] == "remark"
    path = next((d2 / "ZJ-ZSB" / "zj_expropriation" / tag).glob("*.xlsx"))
    header, _ = data_records(path, "ZJ-ZSB", "zj_expropriation")
    assert "paid_date" not in header
    assert manifest(d2, "GA-CRJ", "ga_emigration")["files"][0]["rows"] == 0
    summary = json.loads((out / "rig.json").read_text(encoding="utf-8"))
    assert {f["fault"] for f in summary["faults"]} == {
        "checksum_mismatch", "row_count_mismatch", "no_manifest", "late_delivery", "redelivery",
        "duplicate_manifest", "bad_rows", "extra_column", "missing_column", "empty"}
    # the planted verdicts still hold (generate checks them), and the faults change what is expected
    assert (out / "expected" / f"{D3:%Y%m%d}" / "warnings_all.csv").read_bytes() != \
        (rig / "expected" / f"{D3:%Y%m%d}" / "warnings_all.csv").read_bytes()
    assert (out / "expected" / f"{F:%Y%m%d}" / "warnings_all.csv").read_bytes() == \
        (rig / "expected" / f"{F:%Y%m%d}" / "warnings_all.csv").read_bytes()
    with pytest.raises(ValueError):
        generate(tmp_path / "bad", "tiny", 42, F, 2, fault_days=[F])
    # publishing: the manifest-less folder is visible (files only) until D+1 completes it
    from rig.publish import publish
    publish(out, D2)
    folder = out / "landing" / "SF-SFJ" / "sf_community_correction" / tag
    assert list(folder.glob("*.csv")) and not (folder / "manifest.json").exists()
    assert not (out / "landing" / "SC-XZSP" / "sc_individual_business" / tag).exists()
    publish(out, D3)
    assert (folder / "manifest.json").exists()
    assert (out / "landing" / "SC-XZSP" / "sc_individual_business" / tag / "manifest.json").exists()
    assert json.loads((out / "landing" / "GA-CGS" / "ga_vehicle" / tag / "manifest.json").read_text())["sequence"] == 2


# ---- determinism ---------------------------------------------------------------------------
def test_same_seed_same_bytes(rig: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", "tiny", 42, F, 3)
    assert tree_hashes(tmp_path / "again") == tree_hashes(rig)


def test_fewer_days_is_a_prefix_and_another_seed_differs(rig: Path, tmp_path: Path) -> None:
    # the reference evaluating W01 only: warnings.csv holds the W01 rows of the full rig's
    generate(tmp_path / "two", "tiny", 42, F, 2, rules=["W01"])
    for d in DAYS[:2]:
        sub = f"days/{d:%Y%m%d}"
        assert tree_hashes(tmp_path / "two", sub) == {k: v for k, v in tree_hashes(rig, sub).items()}
        assert expected(tmp_path / "two", d) == {k: v for k, v in expected(rig, d).items() if k[0] == "W01"}
    generate(tmp_path / "other", "tiny", 7, F, 1, rules=["W01"])
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
