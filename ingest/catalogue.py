"""The feed catalogue: the project's copy of the spec's ``feeds.yml``, as typed objects.

Everything that differs between the 41 partners (mode, format, encoding, delimiter, header
language, date format, columns, key) is data here, so one factory builds every partner's
tasks and one loader reads every feed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

SPEC_DIR = Path(__file__).resolve().parent / "spec"
CATALOGUE_PATH = SPEC_DIR / "feeds.yml"

# Catalogue type -> PostgreSQL type of the typed raw column.
PG_TYPES = {
    "text": "text",
    "date": "date",
    "month": "date",
    "int": "integer",
    "numeric": "numeric(18,2)",
    "timestamptz": "timestamptz",
    "bool": "boolean",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str

    @property
    def pg_type(self) -> str:
        return PG_TYPES[self.type]

    @property
    def is_id_number(self) -> bool:
        """Columns that carry resident identity numbers (normalised in staging)."""
        return "id_number" in self.name or self.name in {"公民身份号码", "纳税人身份证号"}


@dataclass(frozen=True)
class Feed:
    name: str
    zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    header: str = "en"
    date_format: str | None = None
    amount_format: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Delivery:
    """How one unit delivers one feed (a unit-feed pair of the catalogue)."""

    unit: str
    unit_name: str
    domain: str
    feed: Feed
    mode: str  # file | api | db
    kind: str  # delta | snapshot
    frequency: str = "daily"
    format: str | None = None
    encoding: str | None = None
    delimiter: str = ","
    table: str | None = None

    @property
    def task_id(self) -> str:
        return f"{self.unit.lower().replace('-', '_')}__{self.feed.name}"

    def delivers_on(self, business_date: date) -> bool:
        """Monthly feeds exist only for month-ends (delivery.md)."""
        return self.frequency != "monthly" or business_date == month_end(business_date)


def month_end(d: date) -> date:
    first_next = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


@dataclass(frozen=True)
class Catalogue:
    version: int
    history_start: date
    timezone: str
    districts: dict[str, str]
    feeds: dict[str, Feed]
    deliveries: tuple[Delivery, ...] = field(default_factory=tuple)

    def units(self) -> list[str]:
        return sorted({d.unit for d in self.deliveries})

    def by_mode(self, mode: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.mode == mode]

    def delivery(self, unit: str, feed: str) -> Delivery:
        for d in self.deliveries:
            if d.unit == unit and d.feed.name == feed:
                return d
        raise KeyError(f"no delivery of feed {feed!r} by unit {unit!r} in the catalogue")

    def units_of(self, feed: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.feed.name == feed]


def _parse(raw: dict) -> Catalogue:
    feeds = {
        name: Feed(
            name=name,
            zh=spec.get("zh", ""),
            key=tuple(spec["key"]),
            columns=tuple(Column(c, t) for c, t in spec["columns"].items()),
            header=spec.get("header", "en"),
            date_format=spec.get("date_format"),
            amount_format=spec.get("amount_format"),
        )
        for name, spec in raw["feeds"].items()
    }
    deliveries = []
    for unit in raw["units"]:
        for f in unit["feeds"]:
            deliveries.append(
                Delivery(
                    unit=unit["code"],
                    unit_name=unit["name"],
                    domain=unit["domain"],
                    feed=feeds[f["feed"]],
                    mode=f["mode"],
                    kind=f.get("kind", "delta"),
                    frequency=f.get("frequency", "daily"),
                    format=f.get("format"),
                    encoding=f.get("encoding"),
                    delimiter=f.get("delimiter", ","),
                    table=f.get("table"),
                )
            )
    return Catalogue(
        version=int(raw["version"]),
        history_start=date.fromisoformat(str(raw["history_start"])),
        timezone=raw["timezone"],
        districts={str(k): v for k, v in raw["districts"].items()},
        feeds=feeds,
        deliveries=tuple(deliveries),
    )


@functools.cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    with open(path, encoding="utf-8") as fh:
        return _parse(yaml.safe_load(fh))
