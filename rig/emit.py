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
from rig.landing import DeliveryWriter, write_delivery
from rig.model import World, day_end
from rig.partners import first_month_end, published_on
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


def _monthly_target(cut: Cutter, business_date: date) -> tuple[int, date] | None:
    """(day index, business date) of the delivery carrying month-end ``business_date``: the first
    delivery (business date = latest month-end published by the first day) carries every month up
    to it; a later month-end lands on the 3rd of the next month, if that is one of the days."""
    first_me = first_month_end(cut.days[0])
    if business_date <= first_me:
        return 0, first_me
    i = cut.of_date(published_on(business_date))
    if i is None or cut.days[i] != published_on(business_date):
        return None
    return i, business_date


class ApiWriter:
    """One API file (a JSON list, one record a line), written as records come."""

    def __init__(self, out: Path, d: date, feed: Feed, business_date: date) -> None:
        self.feed = feed
        path = day_dir(out, d) / "api" / feed.name / f"{business_date:%Y-%m-%d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = path.open("w", encoding="utf-8")
        self.rows = 0

    def add(self, row: dict[str, object]) -> None:
        record = {c: json_value(row.get(c), typ, self.feed.date_format) for c, typ in self.feed.columns.items()}
        self.fh.write(("[\n" if self.rows == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
        self.rows += 1

    def close(self) -> int:
        self.fh.write("\n]\n" if self.rows else "[]\n")
        self.fh.close()
        return self.rows


def emit_file(world: World, catalogue: Catalogue, feed: Feed, out: Path, cut: Cutter) -> list[int]:
    """File feeds (and jr_deposit's API bank): every delivery is streamed to disk as rows come."""
    deliveries = {d.unit: d for d in catalogue.units_of(feed.name)}
    writers: dict[tuple[str, int, date], DeliveryWriter | ApiWriter] = {}
    kept: dict[tuple[str, int, date], list[dict[str, object]]] = {}  # rows a redelivery is made from
    redelivered = {r.feed for r in world.redeliveries}
    checked = False
    targets_of: dict[date, tuple[int, date] | None] = {}

    def writer(unit: str, i: int, bd: date) -> DeliveryWriter | ApiWriter:
        key = (unit, i, bd)
        w = writers.get(key)
        if w is None:
            if deliveries[unit].mode == "api":
                w = ApiWriter(out, cut.days[i], feed, bd)
            else:
                w = DeliveryWriter(day_dir(out, cut.days[i]) / "landing", unit, feed.name, bd, 1, catalogue=catalogue,
                                   **UNIT_STYLE.get(unit, {}))  # type: ignore[arg-type]
            writers[key] = w
        return w

    for unit, business_date, row in GENERATORS[feed.name](world, catalogue):
        if deliveries[unit].frequency == "monthly":
            if business_date not in targets_of:
                targets_of[business_date] = _monthly_target(cut, business_date)
            target = targets_of[business_date]
            if target is None:
                continue
            i, bd = target
        else:
            i = cut.of_date(business_date)
            if i is None:
                continue
            bd = cut.days[i]
        if not checked:
            _check_columns(feed, row)
            checked = True
        writer(unit, i, bd).add(row)
        if feed.name in redelivered:
            kept.setdefault((unit, i, bd), []).append(row)
    for i, d in enumerate(cut.days):
        for unit, spec in deliveries.items():
            if spec.frequency != "monthly":
                writer(unit, i, d)  # every unit delivers every day, an empty delivery when nothing changed
            elif i == 0:
                writer(unit, 0, first_month_end(d))
    counts = [0] * len(cut.days)
    for (_, i, _), w in sorted(writers.items(), key=lambda kv: kv[0]):
        if isinstance(w, ApiWriter):
            counts[i] += w.close()
        else:
            w.close()
            counts[i] += w.rows
    for r in world.redeliveries:
        on, target = cut.of_date(r.on), cut.of_date(r.business_date)
        if r.feed != feed.name or on is None or target is None or cut.days[on] != r.on:
            continue
        rows = []
        for row in kept.get((r.unit, target, cut.days[target]), []):
            key = _key(feed, row)
            if key in r.changes and r.changes[key] is None:
                continue  # the partner withdraws this row
            rows.append({**row, **(r.changes.get(key) or {})})
        write_delivery(day_dir(out, r.on) / "landing", r.unit, feed.name, cut.days[target], rows, r.sequence,
                       catalogue=catalogue, **UNIT_STYLE.get(r.unit, {}))  # type: ignore[arg-type]
    return counts


def emit_api(world: World, catalogue: Catalogue, feed: Feed, out: Path, cut: Cutter) -> list[int]:
    writers = [ApiWriter(out, d, feed, d) for d in cut.days]
    checked = False
    for business_date, row in GENERATORS[feed.name](world, catalogue):
        i = cut.of_date(business_date)
        if i is not None:
            if not checked:
                _check_columns(feed, row)
                checked = True
            writers[i].add(row)
    return [w.close() for w in writers]


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
