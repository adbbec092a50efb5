"""Fault days: every delivery fault of delivery.md on one business day D (and its follow-ups on
D+1), each on its own partner, with rows of its own so the fault is visible.

| fault | unit / feed | on D | on D+1 |
| --- | --- | --- | --- |
| checksum mismatch | SF-ZY sf_dishonest_debtor | sha256 in the manifest is wrong | sequence 2, correct |
| row count mismatch | RS-JYZX rs_unemployment | manifest rows one too many | — |
| folder without a manifest | SF-SFJ sf_community_correction | data files only | the same delivery, complete, in D+1's folder |
| late delivery | SC-XZSP sc_individual_business | nothing | the delivery for D, in D+1's folder |
| redelivery, higher sequence | GA-CGS ga_vehicle | sequence 1 | sequence 2: one row changed, one dropped |
| duplicate manifest | RS-RSJ rs_public_employee | sequence 1 | sequence 1 again, other rows: skipped |
| unparseable rows | GA-JG ga_detention | a bad date, too many fields, too few | — |
| extra column | WJ-CL cl_disability_cert | an unknown `remark` column | — |
| missing column | ZJ-ZSB zj_expropriation | a required column left out: fails | — |
| empty delivery | GA-CRJ ga_emigration | header only, rows: 0 | — |

The fault rows are new background facts (persons of the world, no planted ones); the planted
rows a unit delivers that day stay in its delivery. D must not be the first business day (its
deliveries carry the history the planted cases stand on). ``reference`` loads these days as
delivery.md says, so the expected warnings reflect what a correct warehouse holds.
"""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from rig import ids
from rig.catalogue import Catalogue
from rig.emit import day_dir
from rig.landing import delivery_folder, read_delivery, write_delivery
from rig.model import World
from rig.registry import UNIT_STYLE

FAULTS = ("checksum_mismatch", "row_count_mismatch", "no_manifest", "late_delivery", "redelivery",
          "duplicate_manifest", "bad_rows", "extra_column", "missing_column", "empty")
TARGET = {
    "checksum_mismatch": ("SF-ZY", "sf_dishonest_debtor"),
    "row_count_mismatch": ("RS-JYZX", "rs_unemployment"),
    "no_manifest": ("SF-SFJ", "sf_community_correction"),
    "late_delivery": ("SC-XZSP", "sc_individual_business"),
    "redelivery": ("GA-CGS", "ga_vehicle"),
    "duplicate_manifest": ("RS-RSJ", "rs_public_employee"),
    "bad_rows": ("GA-JG", "ga_detention"),
    "extra_column": ("WJ-CL", "cl_disability_cert"),
    "missing_column": ("ZJ-ZSB", "zj_expropriation"),
    "empty": ("GA-CRJ", "ga_emigration"),
}


def _rows(feed: str, rng: random.Random, world: World, d: date, n: int = 4) -> list[dict[str, object]]:
    people = [p for p in world.persons if not p.planted and p.death is None and p.birth.year < 1990]
    out: list[dict[str, object]] = []
    for k in range(n):
        p = rng.choice(people)
        raw = ids.dirty(p.id_number, "lower_x" if p.id_number.endswith("X") else "spaces") if k == 1 else p.id_number
        back = d - timedelta(days=rng.randrange(30, 900))
        row: dict[str, object] = {
            "sf_dishonest_debtor": {"case_no": f"({d:%Y})辽01执{9000 + k}号", "id_number": raw, "name": p.name,
                                    "amount_owed": rng.randrange(5000, 90000), "listed_date": d, "removed_date": None},
            "rs_unemployment": {"id_number": raw, "name": p.name, "registered_date": d, "status": "registered",
                                "status_date": d, "monthly_benefit": 1450},
            "sf_community_correction": {"id_number": raw, "name": p.name, "correction_type": "probation",
                                        "start_date": back, "end_date": back + timedelta(days=720)},
            "sc_individual_business": {"registration_no": f"210100600{990000 + k}", "operator_id_number": raw,
                                       "business_name": "沈阳市北市便利店", "status": "active",
                                       "established_date": back, "cancelled_date": None},
            "ga_vehicle": {"plate_no": f"辽AF{7000 + k}", "owner_id_number": raw, "vehicle_type": "passenger_car",
                           "use_nature": "private", "registered_date": back, "status": "normal", "status_date": None},
            "rs_public_employee": {"id_number": raw, "name": p.name, "employer_name": "沈阳市教育局",
                                   "employer_type": "government", "start_date": back, "end_date": None,
                                   "monthly_salary": 6100},
            "ga_detention": {"id_number": raw, "name": p.name, "facility": "沈阳市看守所", "detained_date": back,
                             "released_date": back + timedelta(days=20)},
            "cl_disability_cert": {"cert_no": f"{p.id_number}4{k % 4 + 1}", "id_number": raw, "name": p.name,
                                   "disability_type": "physical", "grade": k % 4 + 1, "issued_date": back,
                                   "valid_until": date(back.year + 10, back.month, 1), "status": "valid"},
            "zj_expropriation": {"agreement_no": f"ZS{d:%Y}99{k:05d}", "id_number": raw, "project": "北市片区棚户区改造",
                                 "compensation_amount": 380000, "paid_date": d},
            "ga_emigration": {"id_number": raw, "name": p.name, "country": "加拿大", "settled_date": back},
        }[feed]
        out.append(row)
    return out


def apply_fault_day(out: Path, world: World, catalogue: Catalogue, days: list[date], d: date,
                    faults: tuple[str, ...] = FAULTS) -> list[dict[str, object]]:
    """Break day ``d``'s deliveries (and add D+1's follow-ups); return what was done."""
    if d not in days or d == days[0]:
        raise ValueError(f"a fault day must be a business day after the first: {d}")
    nxt = d + timedelta(days=1) if d + timedelta(days=1) in days else None
    rng = random.Random(f"minzheng-rig:{world.seed}:faults:{d}")
    land, land_next = day_dir(out, d) / "landing", (day_dir(out, nxt) / "landing" if nxt else None)
    log: list[dict[str, object]] = []

    def write(root: Path, unit: str, feed: str, rows: list[dict[str, object]], seq: int = 1, **faults: object) -> None:
        write_delivery(root, unit, feed, d, rows, seq, catalogue=catalogue, faults=faults or None,
                       **UNIT_STYLE.get(unit, {}))  # type: ignore[arg-type]

    for fault in faults:
        unit, feed = TARGET[fault]
        folder = delivery_folder(land, unit, feed, d)
        planted = read_delivery(folder, catalogue)[1] if (folder / "manifest.json").exists() else []
        rows: list[dict[str, object]] = [*planted, *_rows(feed, rng, world, d)]
        entry: dict[str, object] = {"fault": fault, "unit": unit, "feed": feed, "business_date": d.isoformat()}
        if fault == "checksum_mismatch":
            write(land, unit, feed, rows, checksum_mismatch=True)
            if land_next:
                write(land_next, unit, feed, rows, 2)
                entry["fixed_on"] = nxt.isoformat()  # type: ignore[union-attr]
        elif fault == "row_count_mismatch":
            write(land, unit, feed, rows, row_count_mismatch=True)
        elif fault == "no_manifest":
            write(land, unit, feed, rows, no_manifest=True)
            if land_next:
                write(land_next, unit, feed, rows)
                entry["manifest_on"] = nxt.isoformat()  # type: ignore[union-attr]
        elif fault == "late_delivery":
            shutil.rmtree(folder, ignore_errors=True)
            if land_next:
                write(land_next, unit, feed, rows)
                entry["arrives_on"] = nxt.isoformat()  # type: ignore[union-attr]
        elif fault == "redelivery":
            write(land, unit, feed, rows)
            if land_next:
                again = [dict(r) for r in rows[:-1]]
                again[-1].update(status="scrapped", status_date=d)
                write(land_next, unit, feed, again, 2)
                entry["redelivered_on"] = nxt.isoformat()  # type: ignore[union-attr]
        elif fault == "duplicate_manifest":
            write(land, unit, feed, rows)
            if land_next:
                write(land_next, unit, feed, [*planted, *_rows(feed, rng, world, d, 2)], 1)
                entry["duplicate_on"] = nxt.isoformat()  # type: ignore[union-attr]
        elif fault == "bad_rows":
            n = len(planted)
            write(land, unit, feed, rows, bad_rows={n: "date", n + 1: "fields", n + 2: "short"})
        elif fault == "extra_column":
            write(land, unit, feed, rows, extra_column="remark")
        elif fault == "missing_column":
            write(land, unit, feed, rows, missing_column="paid_date")
        elif fault == "empty":
            write(land, unit, feed, [], empty=True)
        log.append(entry)
    return log
