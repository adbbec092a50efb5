"""A plain-Python reference of the warning rules (``warning-rules.md``), run on the rig's files.

It reads exactly what the warehouse reads (the day folders: landing deliveries, API files,
mz table CSVs), applies the loading semantics of ``delivery.md`` (latest version per key,
redeliveries replace a delivery whole, business-date order, identity numbers normalised),
and evaluates the rules. It shares nothing with the world generator but the catalogue, so
a planted case passes only if the files really carry it.

Rules live in ``RULES``; W02-W17 are added there as ``rule -> (severity, evaluator)``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rig import ids
from rig.catalogue import Catalogue, Feed
from rig.landing import read_delivery

# case_ref -> the table holding the case (feeds.yml, mz_payment.case_ref).
PROGRAM_FEED = {
    "dibao": "mz_dibao_household", "tekun": "mz_tekun_person", "orphan": "mz_child_welfare",
    "unsupported_child": "mz_child_welfare", "temp_assistance": "mz_temp_assistance",
    "disability_living": "mz_disability_subsidy", "disability_care": "mz_disability_subsidy",
    "elderly_allowance": "mz_elderly_allowance", "eldercare_subsidy": "mz_eldercare_claim",
}
WARNING_COLUMNS = ["warning_id", "rule", "program", "case_ref", "subject", "district_code",
                   "period_start", "period_end", "months", "amount_at_risk", "severity"]


def warning_id(rule: str, program: str, case_ref: str, subject: str) -> str:
    digest = hashlib.sha256(f"{rule}|{program}|{case_ref}|{subject}".encode()).hexdigest()
    return f"{rule}-{digest[:20]}"


def is_id_column(name: str) -> bool:
    return name.endswith("id_number") or "身份" in name


def parse_date(text: str | None, fmt: str | None = None) -> date | None:
    if not text:
        return None
    try:
        if fmt is None or fmt == "%Y-%m-%d":
            return date.fromisoformat(text.strip())
        return datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        return None


def _intern(value: str) -> str:
    """Cells repeat (months, amounts, the same number every month): keep one copy of each."""
    return sys.intern(value) if len(value) < 40 else value


@lru_cache(maxsize=200_000)
def _normalise(raw: str, day: date | None) -> str | None:
    return ids.normalise(raw, day)


@dataclass(frozen=True)
class Hit:
    """One flagged paid month: the unit a warning is summed from."""

    program: str
    case_ref: str
    subject: str
    month: date
    fen: int


@dataclass(frozen=True)
class Warning:
    warning_id: str
    rule: str
    program: str
    case_ref: str
    subject: str
    district_code: str
    period_start: date
    period_end: date
    months: int
    fen: int
    severity: str

    def row(self) -> list[str]:
        return [self.warning_id, self.rule, self.program, self.case_ref, self.subject, self.district_code,
                self.period_start.isoformat(), self.period_end.isoformat(), str(self.months),
                f"{Decimal(self.fen) / 100:.2f}", self.severity]


class Holdings:
    """What the warehouse holds after loading each business day up to the current one.

    ``payee_filter``: payee -> earliest death date any source ever states; keep only payments
    of those payees for months after that date, the only ones W01 can flag (a payment's payee
    and month never change between its versions). Rules that look at every payment must load
    with ``None``.
    """

    def __init__(self, rig_dir: Path, catalogue: Catalogue, payee_filter: dict[str, date] | None = None,
                 feeds: Iterable[str] | None = None) -> None:
        self.dir, self.cat, self.payee_filter = Path(rig_dir), catalogue, payee_filter
        self.feeds = list(feeds) if feeds is not None else list(catalogue.feeds)
        self.tables: dict[str, dict[tuple[str, ...], dict[str, str]]] = {}
        self.deliveries: dict[str, dict[tuple[str, date], tuple[int, list[dict[str, str]]]]] = {}
        self.api: dict[str, dict[date, list[dict[str, object]]]] = {}
        self.day: date | None = None

    def load_day(self, day: date) -> None:
        folder = self.dir / "days" / f"{day:%Y%m%d}"
        self.day = day  # identity numbers are judged as of this business date
        for name in self.feeds:
            feed, modes = self.cat.feed(name), {d.mode for d in self.cat.units_of(name)}
            if "db" in modes:
                path = folder / "mz" / f"{self.cat.table_of(name)}.csv"
                if path.exists():
                    self._load_table(feed, path)
            if "file" in modes:
                for manifest in sorted(folder.glob(f"landing/*/{name}/*/manifest.json")):
                    self._load_delivery(feed, manifest.parent)
            if "api" in modes:
                for path in sorted(folder.glob(f"api/{name}/*.json")):
                    self._bump(name)
                    records = [{k: _intern(v) if type(v) is str else v for k, v in r.items()}
                               for r in json.loads(path.read_text("utf-8"))]
                    self.api.setdefault(name, {})[date.fromisoformat(path.stem)] = records

    def _load_table(self, feed: Feed, path: Path) -> None:
        self._bump(feed.name)
        held = self.tables.setdefault(feed.name, {})
        only = self.payee_filter if feed.name == "mz_payment" else None
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            if only is not None:
                i_payee, i_month = header.index("payee_id_number"), header.index("pay_month")
            compact = feed.name == "mz_payment"  # a million rows at size small: a tuple, not a dict
            if compact:
                self.payment_columns = {c: i for i, c in enumerate(header)}
            i_key = [header.index(k) for k in feed.key]
            i_upd = header.index("updated_at")
            for values in reader:
                if only is not None:
                    died = only.get(self.norm(values[i_payee]) or "")
                    if died is None or values[i_month] <= died.isoformat():
                        continue
                values = [_intern(v) for v in values]
                key = tuple(values[i] for i in i_key)
                old = held.get(key)
                if old is not None:
                    t_old = old[i_upd] if compact else old["updated_at"]
                    if datetime.fromisoformat(t_old) > datetime.fromisoformat(values[i_upd]):
                        continue
                held[key] = tuple(values) if compact else dict(zip(header, values, strict=True))

    def version(self, *feeds: str) -> tuple[int, ...]:
        """Changes whenever a delivery of one of ``feeds`` is loaded (for caching derived data)."""
        v = self.__dict__.setdefault("_versions", {})
        return tuple(v.get(f, 0) for f in feeds)

    def _bump(self, feed: str) -> None:
        v = self.__dict__.setdefault("_versions", {})
        v[feed] = v.get(feed, 0) + 1

    def memo(self, name: str, feeds: tuple[str, ...], fn: Callable[[], object]) -> object:
        cache = self.__dict__.setdefault("_memo", {})
        key = self.version(*feeds)
        hit = cache.get(name)
        if hit is None or hit[0] != key:
            hit = cache[name] = (key, fn())
        return hit[1]

    def _load_delivery(self, feed: Feed, folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        key = (manifest["unit"], date.fromisoformat(manifest["business_date"]))
        held = self.deliveries.setdefault(feed.name, {})
        if key in held and held[key][0] >= manifest["sequence"]:
            return  # a sequence already loaded: a duplicate, skipped even if its files differ
        rows = checked_rows(folder, manifest, feed, self.cat)
        if rows is None:
            return  # invalid (checksum, row count, missing column): nothing of it is loaded
        self._bump(feed.name)
        held[key] = (manifest["sequence"], rows)  # a redelivery replaces the delivery whole

    def norm(self, raw: object) -> str | None:
        return None if raw is None else _normalise(str(raw), self.day)

    def _key(self, feed: Feed, row: dict) -> tuple[object, ...]:
        return tuple((self.norm(row.get(k)) or row.get(k)) if is_id_column(k) else row.get(k) for k in feed.key)

    def table(self, feed: str) -> dict[tuple[str, ...], dict[str, str]]:
        return self.tables.get(feed, {})

    def current(self, feed_name: str) -> list[dict]:
        """Rows of a partner feed as held: later business dates replace a key's earlier row."""
        cache = self.__dict__.setdefault("_current", {})
        version = self.version(feed_name)
        if cache.get(feed_name, (None,))[0] == version:
            return cache[feed_name][1]
        feed = self.cat.feed(feed_name)
        merged: dict[tuple[object, ...], dict] = {}
        batches = [(bd, unit, rows) for (unit, bd), (_, rows) in self.deliveries.get(feed_name, {}).items()]
        batches += [(bd, "~api", rows) for bd, rows in self.api.get(feed_name, {}).items()]
        for _, _, rows in sorted(batches, key=lambda b: (b[0], b[1])):
            for row in rows:
                merged[self._key(feed, row)] = row
        out = list(merged.values())
        cache[feed_name] = (version, out)
        return out


_ROW_TYPES: dict[tuple[str, ...], type] = {}


def row_type(columns: tuple[str, ...]) -> type:
    """A tuple that reads like the row's dict (``get``, ``row[col]``, ``keys``): a third of
    the memory, for the millions of monthly partner rows of size small."""
    t = _ROW_TYPES.get(columns)
    if t is None:
        ix = {c: i for i, c in enumerate(columns)}

        class Row(tuple):
            __slots__ = ()

            def get(self, key: str, default: object = None) -> object:
                i = ix.get(key)
                return default if i is None else tuple.__getitem__(self, i)

            def __getitem__(self, key):  # type: ignore[override]  # noqa: ANN001, ANN204
                return tuple.__getitem__(self, ix[key] if type(key) is str else key)

            def keys(self):  # noqa: ANN202
                return ix.keys()

        t = _ROW_TYPES[columns] = Row
    return t


@lru_cache(maxsize=100_000)
def _date_ok(value: str, fmt: str | None) -> bool:
    return parse_date(value, fmt) is not None


def _parses(value: str, typ: str, feed: Feed) -> bool:
    if value == "" or typ == "text":
        return True
    if typ in ("date", "month"):
        return _date_ok(value, feed.date_format)
    if typ in ("numeric", "int"):
        text = value.replace(",", "") if feed.amount_format and "thousands" in feed.amount_format else value
        try:
            Decimal(text) if typ == "numeric" else int(text)
        except (ArithmeticError, ValueError):
            return False
    return True


def checked_rows(folder: Path, manifest: dict, feed: Feed, catalogue: Catalogue) -> list[dict[str, str]] | None:
    """The rows of a delivery as delivery.md loads them, or None when the delivery is invalid:
    a file whose sha256 or record count differs from the manifest, or a missing column. Rows
    that cannot be parsed (bad date or amount, wrong number of fields) are left out
    (quarantined); an unknown extra column is ignored."""
    spec = catalogue.delivery(manifest["unit"], manifest["feed"])
    out: list[dict[str, str]] = []
    for f in manifest["files"]:
        path = folder / f["name"]
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != f["sha256"]:
            return None
        if path.suffix == ".xlsx":
            _, rows = read_delivery(folder, catalogue) if len(manifest["files"]) == 1 else (None, [])
            header = list(rows[0]) if rows else list(feed.columns)
            records = [(r, True) for r in rows]
        else:
            encoding = {"gbk": "gb18030"}.get(spec.encoding or "utf-8", spec.encoding or "utf-8")
            reader = csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline=""),
                                delimiter=spec.delimiter or ",")
            header = next(reader)
            if set(feed.columns) - set(header):
                return None
            checks = [(header.index(c), t) for c, t in feed.columns.items() if t != "text"]
            picks = [header.index(c) for c in feed.columns]
            make = row_type(tuple(feed.columns))
            n = 0
            for r in reader:
                n += 1
                if len(r) == len(header) and all(_parses(r[i], t, feed) for i, t in checks):
                    out.append(make(_intern(r[i]) for i in picks))
            if n != f["rows"]:
                return None
            continue
        if len(records) != f["rows"] or set(feed.columns) - set(header):
            return None
        for row, fields_ok in records:
            if fields_ok and all(_parses(row.get(c) or "", t, feed) for c, t in feed.columns.items()):
                out.append({c: row.get(c, "") for c in feed.columns})
    return out


# ---- shared terms of warning-rules.md ----------------------------------------------------
def death_dates(h: Holdings) -> dict[str, date]:
    """Earliest death date per normalised number, from every source that states one."""
    out: dict[str, date] = {}

    def add(raw: object, when: date | None) -> None:
        number = h.norm(raw)
        if number and when:
            out[number] = min(out.get(number, when), when)

    ga = h.cat.feed("ga_death")
    for row in h.current("ga_death"):
        add(row.get("公民身份号码"), parse_date(row.get("死亡日期"), ga.date_format))
    for row in h.current("wj_death_certificate"):
        add(row.get("id_number"), parse_date(str(row.get("death_date") or "")))
    for row in h.table("mz_death_cremation").values():
        add(row["id_number"], parse_date(row["death_date"]))
    for row in h.current("ga_hukou"):
        if row.get("status") == "deceased":
            add(row.get("id_number"), parse_date(str(row.get("status_date") or "")))
    return out


def case_row(h: Holdings, program: str, case_ref: str) -> dict[str, str] | None:
    return h.table(PROGRAM_FEED[program]).get((case_ref,))


def paid_months(h: Holdings) -> dict[tuple[str, str, str], dict[date, int]]:
    """(program, case_ref, payee) -> {pay_month: fen} over the latest version of each payment."""
    cached = getattr(h, "_paid", None)
    if cached is not None and cached[0] == h.day:
        return cached[1]
    out = _paid_months(h)
    h._paid = (h.day, out)  # type: ignore[attr-defined]
    return out


def _paid_months(h: Holdings) -> dict[tuple[str, str, str], dict[date, int]]:
    out: dict[tuple[str, str, str], dict[date, int]] = {}
    ix = getattr(h, "payment_columns", {})
    i_status, i_program, i_ref = ix.get("status"), ix.get("program"), ix.get("case_ref")
    i_payee, i_month, i_amount = ix.get("payee_id_number"), ix.get("pay_month"), ix.get("amount")
    months_of: dict[str, date | None] = {}
    for row in h.table("mz_payment").values():
        if row[i_status] != "paid":
            continue
        program, ref = row[i_program], row[i_ref]
        case = case_row(h, program, ref)
        if case is not None and case.get("deleted") == "true":
            continue
        payee = h.norm(row[i_payee])
        if row[i_month] not in months_of:
            months_of[row[i_month]] = parse_date(row[i_month])
        month = months_of[row[i_month]]
        if payee is None or month is None:
            continue
        fen = int(Decimal(row[i_amount]) * 100)
        months = out.setdefault((program, ref, payee), {})
        months[month] = months.get(month, 0) + fen
    return out


def district_of(h: Holdings, program: str, case_ref: str) -> str:
    if program == "eldercare_subsidy" and ":" in case_ref:  # W14 (c): institution_id:YYYY-MM
        inst = h.table("mz_eldercare_institution").get((case_ref.split(":", 1)[0],))
        return inst["district_code"] if inst else ""
    case = case_row(h, program, case_ref)
    if case is None:
        return ""
    if program == "eldercare_subsidy":
        inst = h.table("mz_eldercare_institution").get((case["institution_id"],))
        return inst["district_code"] if inst else ""
    return case.get("district_code", "")


# ---- the rules ---------------------------------------------------------------------------
def w01(h: Holdings) -> Iterable[Hit]:
    deaths = death_dates(h)
    for (program, case_ref, payee), months in paid_months(h).items():
        if program in ("temp_assistance", "eldercare_subsidy"):
            continue
        death = deaths.get(payee)
        if death is None:
            continue
        for month, fen in months.items():
            if death < month:
                yield Hit(program, case_ref, payee, month, fen)


Rule = Callable[[Holdings], Iterable[Hit]]
RULES: dict[str, tuple[str, Rule]] = {"W01": ("high", w01)}
# Rules whose evaluation needs only payments of persons with a death date (see Holdings).
DEATH_ONLY_RULES = {"W01"}
DEATH_SOURCES = ("ga_death", "wj_death_certificate", "mz_death_cremation", "ga_hukou")


def evaluate(h: Holdings, rules: Iterable[str] | None = None) -> list[Warning]:
    warnings = []
    for rule in rules or RULES:
        severity, fn = RULES[rule]
        groups: dict[tuple[str, str, str], list[Hit]] = {}
        for hit in fn(h):
            groups.setdefault((hit.program, hit.case_ref, hit.subject), []).append(hit)
        for (program, case_ref, subject), hits in groups.items():
            flagged = sorted(x.month for x in hits)
            fen = sum(x.fen for x in hits)
            warnings.append(Warning(
                warning_id(rule, program, case_ref, subject), rule, program, case_ref, subject,
                district_of(h, program, case_ref), flagged[0], flagged[-1], len(flagged), fen,
                "high" if fen >= 1_000_000 else severity))
    return sorted(warnings, key=lambda w: w.warning_id)


def death_candidates(rig_dir: Path, days: list[date], catalogue: Catalogue) -> dict[str, date]:
    """Earliest death date any source states for a number on any day (a redelivery may
    retract or move one, so this is taken over every day)."""
    h = Holdings(rig_dir, catalogue, feeds=DEATH_SOURCES)
    found: dict[str, date] = {}
    for d in days:
        h.load_day(d)
        for number, died in death_dates(h).items():
            found[number] = min(found.get(number, died), died)
    return found


def run(rig_dir: Path, days: list[date], catalogue: Catalogue,
        rules: Iterable[str] | None = None) -> dict[date, list[Warning]]:
    """Warnings active after the run of each business day (every rule in RULES by default)."""
    import rig.rules  # noqa: F401  (registers W02-W17)

    rules = list(rules or RULES)
    needs_all = any(r not in DEATH_ONLY_RULES for r in rules)
    # Death-only rules read the death sources and the civil-affairs tables, nothing else.
    feeds = None if needs_all else [*DEATH_SOURCES, *sorted(set(PROGRAM_FEED.values())), "mz_payment",
                                    "mz_eldercare_institution"]
    h = Holdings(rig_dir, catalogue, None if needs_all else death_candidates(rig_dir, days, catalogue), feeds)
    out = {}
    for d in days:
        h.load_day(d)
        out[d] = evaluate(h, rules)
    return out


def write_warnings(path: Path, warnings: list[Warning]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(WARNING_COLUMNS)
        w.writerows(x.row() for x in warnings)
