"""The rig's reading of the data-exchange catalogue (``ingest/spec/feeds.yml``).

The rig plays the outside world, so it reads the contract itself rather than any copy the
warehouse keeps: every column name, key, format and encoding comes from here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

SPEC_DIR = Path(__file__).resolve().parent.parent / "ingest" / "spec"
FEEDS_YML = SPEC_DIR / "feeds.yml"
STANDARDS_CSV = SPEC_DIR / "standards.csv"


@dataclass(frozen=True)
class Feed:
    name: str
    zh: str
    key: tuple[str, ...]
    columns: dict[str, str]  # column name -> catalogue type, in catalogue order
    header: str | None
    date_format: str | None
    amount_format: str | None

    def types(self, kind: str) -> list[str]:
        return [c for c, t in self.columns.items() if t == kind]


@dataclass(frozen=True)
class Delivery:
    """One (unit, feed) pair: how that unit delivers that feed."""

    unit: str
    unit_name: str
    domain: str
    feed: str
    mode: str
    kind: str
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    frequency: str = "daily"
    table: str | None = None


@dataclass(frozen=True)
class Catalogue:
    history_start: str
    timezone: str
    districts: dict[str, str]
    feeds: dict[str, Feed]
    deliveries: tuple[Delivery, ...]

    def feed(self, name: str) -> Feed:
        return self.feeds[name]

    def units_of(self, feed: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.feed == feed]

    def delivery(self, unit: str, feed: str) -> Delivery:
        for d in self.deliveries:
            if d.unit == unit and d.feed == feed:
                return d
        raise KeyError(f"unit {unit} does not deliver {feed}")

    def mode_of(self, feed: str) -> str:
        return self.units_of(feed)[0].mode

    def table_of(self, feed: str) -> str:
        """Bare table name in schema mz (``mz.marriage_registration`` -> ``marriage_registration``)."""
        table = self.units_of(feed)[0].table
        if not table:
            raise KeyError(f"{feed} is not a db feed")
        return table.split(".", 1)[1]

    def police_units(self) -> dict[str, str]:
        """District code -> the ga_death branch unit serving it, matched on the place name."""
        mapping: dict[str, str] = {}
        for d in self.units_of("ga_death"):
            hits = [code for code, name in self.districts.items() if name[:2] == d.unit_name[:2]]
            if len(hits) != 1:
                raise ValueError(f"cannot place {d.unit} {d.unit_name} in one district")
            mapping[hits[0]] = d.unit
        return mapping


@lru_cache(maxsize=4)
def load(path: Path = FEEDS_YML) -> Catalogue:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    feeds = {
        name: Feed(
            name=name,
            zh=spec.get("zh", ""),
            key=tuple(spec["key"]),
            columns=dict(spec["columns"]),
            header=spec.get("header"),
            date_format=spec.get("date_format"),
            amount_format=spec.get("amount_format"),
        )
        for name, spec in raw["feeds"].items()
    }
    deliveries = []
    for unit in raw["units"]:
        for f in unit["feeds"]:
            deliveries.append(Delivery(
                unit=unit["code"], unit_name=unit["name"], domain=unit["domain"], feed=f["feed"],
                mode=f["mode"], kind=f.get("kind", "delta"), format=f.get("format"),
                encoding=f.get("encoding"), delimiter=f.get("delimiter"),
                frequency=f.get("frequency", "daily"), table=f.get("table"),
            ))
    return Catalogue(
        history_start=str(raw["history_start"]),
        timezone=raw["timezone"],
        districts={str(k): v for k, v in raw["districts"].items()},
        feeds=feeds,
        deliveries=tuple(deliveries),
    )


@lru_cache(maxsize=2)
def standards(path: Path = STANDARDS_CSV) -> dict[tuple[str, int, str], Decimal]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return {
            (r["kind"], int(r["year"]), r["key"]): Decimal(r["value"]) for r in csv.DictReader(fh)
        }
