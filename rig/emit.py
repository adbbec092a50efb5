"""Cut the world's timeline into business days and write each day's folder.

The first day carries all history (everything up to its end); each later day carries what
happened on it. Anything after the last day's end is not written.
"""

from __future__ import annotations

import bisect
import csv
import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from rig.catalogue import Catalogue, Feed
from rig.formats import fmt_value, json_value
from rig.landing import write_delivery
from rig.model import World, day_end
from rig.registry import GENERATORS, UNIT_STYLE


def day_dir(out: Path, d: date) -> Path:
    return out / "days" / f"{d:%Y%m%d}"


def _check_columns(feed: Feed, row: dict[str, object]) -> None:
    if list(row) != list(feed.columns) and set(row) != set(feed.columns):
        raise ValueError(f"{feed.name}: generator columns {sorted(row)} != catalogue {list(feed.columns)}")


class Cutter:
    """Which business day (index) a moment or a business date belongs to."""

    def __init__(self, days: list[date]) -> None:
        self.days = days
        self.ends = [day_end(d) for d in days]

    def of_time(self, t: datetime) -> int | None:
        i = bisect.bisect_left(self.ends, t)
        return i if i < len(self.days) else None

    def of_date(self, d: date) -> int | None:
        i = bisect.bisect_left(self.days, d)
        return i if i < len(self.days) else None


def emit_db(world: World, catalogue: Catalogue, feed: Feed, out: Path, cut: Cutter) -> list[int]:
    table = catalogue.table_of(feed.name)
    cols, types = list(feed.columns), list(feed.columns.values())
    handles, writers = [], []
    for d in cut.days:
        path = day_dir(out, d) / "mz" / f"{table}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = path.open("w", encoding="utf-8", newline="")
        handles.append(fh)
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        writers.append(w)
    counts = [0] * len(cut.days)
    checked = False
    try:
        for versions in GENERATORS[feed.name](world):
            last: dict[int, dict[str, object]] = {}
            for t, row in versions:
                i = cut.of_time(t)
                if i is None:
                    break
                last[i] = row
            for i, row in last.items():
                if not checked:
                    _check_columns(feed, row)
                    checked = True
                writers[i].writerow([v if type(v) is str else fmt_value(v, typ)
                                     for v, typ in zip([row[c] for c in cols], types, strict=True)])
                counts[i] += 1
    finally:
        for fh in handles:
            fh.close()
    return counts


def _key(feed: Feed, row: dict[str, object]) -> str:
    return "|".join(str(row.get(k)) for k in feed.key)


def emit_file(world: World, catalogue: Catalogue, feed: Feed, out: Path, cut: Cutter) -> list[int]:
    units = [d.unit for d in catalogue.units_of(feed.name)]
    buckets: dict[tuple[str, int], list[dict[str, object]]] = {}
    for unit, business_date, row in GENERATORS[feed.name](world, catalogue):
        i = cut.of_date(business_date)
        if i is not None:
            _check_columns(feed, row)
            buckets.setdefault((unit, i), []).append(row)
    counts = [0] * len(cut.days)
    for i, d in enumerate(cut.days):
        for unit in units:  # every unit delivers every day, an empty delivery when nothing changed
            rows = buckets.get((unit, i), [])
            write_delivery(day_dir(out, d) / "landing", unit, feed.name, d, rows, 1, catalogue=catalogue,
                           **UNIT_STYLE.get(unit, {}))  # type: ignore[arg-type]
            counts[i] += len(rows)
    for r in world.redeliveries:
        on, target = cut.of_date(r.on), cut.of_date(r.business_date)
        if r.feed != feed.name or on is None or target is None or cut.days[on] != r.on:
            continue
        rows = []
        for row in buckets.get((r.unit, target), []):
            key = _key(feed, row)
            if key in r.changes and r.changes[key] is None:
                continue  # the partner withdraws this row
            rows.append({**row, **(r.changes.get(key) or {})})
        write_delivery(day_dir(out, r.on) / "landing", r.unit, feed.name, cut.days[target], rows, r.sequence,
                       catalogue=catalogue, **UNIT_STYLE.get(r.unit, {}))  # type: ignore[arg-type]
    return counts


def emit_api(world: World, catalogue: Catalogue, feed: Feed, out: Path, cut: Cutter) -> list[int]:
    buckets: dict[int, list[dict[str, object]]] = {}
    for business_date, row in GENERATORS[feed.name](world, catalogue):
        i = cut.of_date(business_date)
        if i is not None:
            _check_columns(feed, row)
            buckets.setdefault(i, []).append(row)
    counts = []
    for i, d in enumerate(cut.days):
        records = [{c: json_value(r.get(c), typ, feed.date_format) for c, typ in feed.columns.items()}
                   for r in buckets.get(i, [])]
        path = day_dir(out, d) / "api" / feed.name / f"{d:%Y-%m-%d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        path.write_text(f"[\n{lines}\n]\n" if records else "[]\n", encoding="utf-8")
        counts.append(len(records))
    return counts


EMITTERS = {"db": emit_db, "file": emit_file, "api": emit_api}


def emit_all(world: World, catalogue: Catalogue, out: Path, days: list[date],
             feeds: Iterable[str] | None = None) -> dict[str, list[int]]:
    """Write every generated feed for every day; return rows written per feed and day."""
    world.horizon = day_end(days[-1])
    cut = Cutter(days)
    counts: dict[str, list[int]] = {}
    for name in feeds or [f for f in catalogue.feeds if f in GENERATORS]:
        feed = catalogue.feed(name)
        counts[name] = EMITTERS[catalogue.mode_of(name)](world, catalogue, feed, out, cut)
    return counts
