"""``python -m rig generate``: build the world, write the day folders and the expected warnings."""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from rig import catalogue as cat
from rig import reference
from rig.emit import emit_all
from rig.faults import apply_fault_day
from rig.model import CASE_TABLE, World
from rig.partners import build_partners
from rig.planted import plant_all, truth_w01, visible_deaths
from rig.planted_rules import plant_rules
from rig.world import build_world

# expected/YYYYMMDD/warnings.csv holds the rules the warehouse implements (the demo compares it
# whole): every evaluated rule unless RIG_WAREHOUSE_RULES (e.g. "W01") or ``warehouse_rules``
# says otherwise; warnings_all.csv always holds every evaluated rule, with a ``rule`` column.
WAREHOUSE_RULES: tuple[str, ...] | None = tuple(
    r for r in os.environ.get("RIG_WAREHOUSE_RULES", "").split(",") if r.strip()) or None
PLANTED_COLUMNS = ["case", "rule", "program", "case_ref", "subject", "business_date", "expect_fire",
                   "months", "amount_at_risk", "note"]


@dataclass
class Result:
    world: World
    days: list[date]
    counts: dict[str, list[int]]
    expected: dict[date, list[reference.Warning]]
    planted_rows: list[dict[str, str]]
    seconds: float


def planted_expectations(world: World, days: list[date], police: dict[str, str]) -> list[dict[str, str]]:
    """One row per planted case and business day, with the months/amount the world implies."""
    cases = {c.case_ref: c for c in world.cases}
    rows = []
    for d in days:
        deaths = visible_deaths(world, police, d)
        for p in world.planted:
            if (p.first_day and d < p.first_day) or (p.last_day and d > p.last_day):
                continue
            if p.rule != "W01":  # verdict only: the reference's months and amount are checked against W01's world
                rows.append({"case": p.case, "rule": p.rule, "program": p.program, "case_ref": p.case_ref,
                             "subject": p.subject, "business_date": d.isoformat(),
                             "expect_fire": "true" if p.expect_fire else "false",
                             "months": str(p.months) if p.expect_fire and p.months is not None else "",
                             "amount_at_risk": f"{Decimal(p.fen) / 100:.2f}" if p.expect_fire and p.fen is not None
                             else "", "note": p.note})
                continue
            n, fen = truth_w01(world, cases.get(p.case_ref), deaths, d)
            if (n > 0) != p.expect_fire:
                raise AssertionError(f"planted {p.case} on {d}: world says {n} months, expected fire={p.expect_fire}")
            rows.append({"case": p.case, "rule": p.rule, "program": p.program, "case_ref": p.case_ref,
                         "subject": p.subject, "business_date": d.isoformat(),
                         "expect_fire": "true" if p.expect_fire else "false",
                         "months": str(n) if p.expect_fire else "",
                         "amount_at_risk": f"{Decimal(fen) / 100:.2f}" if p.expect_fire else "",
                         "note": p.note})
    return rows


def check_planted(rows: list[dict[str, str]], expected: dict[date, list[reference.Warning]]) -> None:
    """The file-based reference must agree with every planted verdict, months and amount too."""
    held = {(d, w.rule, w.program, w.case_ref, w.subject): w for d, ws in expected.items() for w in ws}
    problems = []
    for r in rows:
        w = held.get((date.fromisoformat(r["business_date"]), r["rule"], r["program"], r["case_ref"], r["subject"]))
        if r["expect_fire"] == "true":
            if w is None:
                problems.append(f"{r['case']} {r['business_date']}: expected a warning, reference has none")
            elif r["months"] and (str(w.months), f"{Decimal(w.fen) / 100:.2f}") != (r["months"], r["amount_at_risk"]):
                problems.append(f"{r['case']} {r['business_date']}: reference {w.months} months/{w.fen} fen, "
                                f"world {r['months']}/{r['amount_at_risk']}")
        elif w is not None:
            problems.append(f"{r['case']} {r['business_date']}: must not fire, reference has {w.warning_id}")
    if problems:
        raise AssertionError("planted cases disagree with the reference:\n" + "\n".join(problems))


def generate(out: Path, size: str = "tiny", seed: int = 42, first_date: date = date(2026, 11, 27),
             days: int = 3, warehouse_rules: Iterable[str] | None = WAREHOUSE_RULES,
             fault_days: Iterable[date] = (), rules: Iterable[str] | None = None) -> Result:
    """Build the world, write its day folders, compute the expected warnings.

    ``fault_days``: business days (not the first) on which every delivery fault of delivery.md
    is made (``faults.py``); ``rules``: the rules the reference evaluates (default all)."""
    started = time.monotonic()
    business_days = [first_date + timedelta(days=i) for i in range(days)]
    fault_days = sorted(set(fault_days))
    if any(d not in business_days[1:] for d in fault_days):
        raise ValueError(f"fault days must be business days after the first: {fault_days}")
    catalogue = cat.load()
    out = Path(out)
    # A new world makes anything published from an older one wrong: start the rig over.
    for stale in ("days", "expected", "landing", "api"):
        shutil.rmtree(out / stale, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    business_days = [first_date + timedelta(days=i) for i in range(days)]

    world, builder = build_world(seed, size, first_date, catalogue)
    plant_all(builder)
    plant_rules(builder, build_partners(world, catalogue, first_date))
    counts = emit_all(world, catalogue, out, business_days)
    fault_log = [e for d in sorted(set(fault_days)) for e in apply_fault_day(out, world, catalogue, business_days, d)]
    expected = reference.run(out, business_days, catalogue, rules)
    for d, warnings in expected.items():
        # warnings_all.csv: every rule; warnings.csv: the rules the warehouse implements so far.
        reference.write_warnings(out / "expected" / f"{d:%Y%m%d}" / "warnings_all.csv", warnings)
        reference.write_warnings(out / "expected" / f"{d:%Y%m%d}" / "warnings.csv",
                                 [w for w in warnings if warehouse_rules is None or w.rule in warehouse_rules])
    planted_rows = planted_expectations(world, business_days, builder.police)
    evaluated = set(rules) if rules else set(reference.RULES)
    check_planted([r for r in planted_rows if r["rule"] in evaluated], expected)
    with (out / "expected" / "planted_cases.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, PLANTED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(planted_rows)

    summary = {
        "seed": seed, "size": size, "first_date": first_date.isoformat(),
        "days": [f"{d:%Y%m%d}" for d in business_days],
        "persons": len(world.persons),
        "cases": {p: sum(1 for c in world.cases if c.program == p) for p in CASE_TABLE},
        "rows": counts,
        "warnings": {f"{d:%Y%m%d}": len(ws) for d, ws in expected.items()},
        "planted_cases": len({p.case for p in world.planted}),
        "faults": fault_log,
        "rules": sorted(evaluated),  # the rules warnings_all.csv holds
        "not_generated": [f for f in catalogue.feeds if f not in counts],
    }
    (out / "rig.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Result(world, business_days, counts, expected, planted_rows, time.monotonic() - started)
