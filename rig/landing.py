"""Write (and read back) one file-mode delivery exactly as ``delivery.md`` describes it.

``write_delivery`` is what a partner does: data files in the unit's own format, encoding and
delimiter, then ``manifest.json`` last. Its ``faults`` make the broken deliveries that the
warehouse's ingest tests need, one fault at a time or several together.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook, load_workbook

from rig import catalogue as cat
from rig.formats import fmt_value, impossible_date

BAD_ROW_KINDS = ("date", "amount", "fields", "short")
_FIXED_ZIP_TIME = (2016, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Faults:
    """What to break. Row indexes are 0-based positions in ``rows``."""

    checksum_mismatch: bool = False  # manifest sha256 is not the file's
    row_count_mismatch: bool = False  # manifest rows is one more than the file holds
    no_manifest: bool = False  # data files only: an upload still in progress
    extra_column: str | None = None  # an unknown column appended, with values
    missing_column: str | None = None  # a catalogue column left out of header and rows
    bad_rows: Mapping[int, str] = field(default_factory=dict)  # index -> date|amount|fields|short
    empty: bool = False  # header only, rows: 0, whatever rows were given
    quoted_newline: int | None = None  # index of a row whose text cell holds a line break


FaultSpec = Faults | str | Iterable[str] | Mapping[str, object] | None


def as_faults(spec: FaultSpec, feed: cat.Feed) -> Faults:
    """Accept a Faults, a flag name, a list of flag names or a dict of Faults fields."""
    if spec is None:
        return Faults()
    if isinstance(spec, Faults):
        return spec
    if isinstance(spec, Mapping):
        values = dict(spec)
    else:
        names = [spec] if isinstance(spec, str) else list(spec)
        known = {f.name for f in fields(Faults)}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"unknown faults {unknown}")
        values = {n: True for n in names}
    # Flags given as True pick a sensible default target.
    if values.get("extra_column") is True:
        values["extra_column"] = "备注" if feed.header == "zh" else "remark"
    if values.get("missing_column") is True:
        values["missing_column"] = [c for c in feed.columns if c not in feed.key][-1]
    if values.get("bad_rows") is True:
        values["bad_rows"] = {0: "date"}
    if values.get("quoted_newline") is True:
        values["quoted_newline"] = 0
    return Faults(**values)  # type: ignore[arg-type]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=65536)
def _fmt_cached(value: object, typ: str, date_format: str | None, amount_format: str | None) -> str:
    return fmt_value(value, typ, date_format, amount_format)


def _cells(feed: cat.Feed, row: Mapping[str, object], columns: Sequence[str], keep_dates: bool) -> list[object]:
    out: list[object] = []
    for col in columns:
        value = row.get(col)
        if value is None or type(value) is str:
            out.append("" if value is None else value)
            continue
        typ = feed.columns.get(col, "text")
        if keep_dates and typ in ("date", "month") and isinstance(value, date):
            out.append(value.replace(day=1) if typ == "month" else value)
        elif type(value) in (date, float, int):
            out.append(_fmt_cached(value, typ, feed.date_format, feed.amount_format))
        else:
            out.append(fmt_value(value, typ, feed.date_format, feed.amount_format))
    return out


def _break_row(feed: cat.Feed, cells: list[object], columns: Sequence[str], kind: str) -> list[object]:
    cells = list(cells)
    if kind == "date":
        col = next((c for c in columns if feed.columns.get(c) in ("date", "month")), None)
        if col is None:
            raise ValueError(f"{feed.name} has no date column to break")
        cells[columns.index(col)] = impossible_date(feed.columns[col], feed.date_format)
    elif kind == "amount":
        col = next((c for c in columns if feed.columns.get(c) in ("numeric", "int")), None)
        if col is None:
            raise ValueError(f"{feed.name} has no amount column to break")
        cells[columns.index(col)] = "12O.5元"
    elif kind == "fields":
        cells.append("多余字段")
    elif kind == "short":
        cells = cells[:-1]
    else:
        raise ValueError(f"bad_rows kind must be one of {BAD_ROW_KINDS}")
    return cells


def _newline_in(feed: cat.Feed, cells: list[object], columns: Sequence[str]) -> list[object]:
    texts = [i for i, c in enumerate(columns) if feed.columns.get(c, "text") == "text" and c not in feed.key]
    i = texts[-1] if texts else 0
    cells = list(cells)
    cells[i] = f"{cells[i] or '备注'}\n(续)"
    return cells


def _csv_bytes(rows: list[list[object]], header: list[str], encoding: str, delimiter: str, line_ending: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=line_ending)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def _xlsx_bytes(rows: list[list[object]], header: list[str], fixed_time: datetime) -> bytes:
    wb = Workbook(write_only=True)
    wb.properties.created = wb.properties.modified = fixed_time
    ws = wb.create_sheet("Sheet1")
    ws.append(header)
    for r in rows:
        # A row may end early (trailing empty cells are simply not there), as spreadsheets do.
        cells = list(r)
        while cells and cells[-1] in ("", None):
            cells.pop()
        ws.append([None if c == "" else c for c in cells])
    raw = io.BytesIO()
    wb.save(raw)
    return _deterministic_zip(raw.getvalue(), fixed_time)


def _deterministic_zip(data: bytes, fixed_time: datetime) -> bytes:
    """Same rows, same bytes: pin zip entry times and the document's timestamps."""
    stamp = fixed_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _clear_folder(folder: Path) -> None:
    """A redelivery replaces the delivery whole: manifest first, so nobody reads a mix."""
    manifest = folder / "manifest.json"
    if manifest.exists():
        manifest.unlink()
    for p in folder.iterdir():
        if p.is_file():
            p.unlink()


def delivery_folder(landing_root: Path | str, unit: str, feed: str, business_date: date) -> Path:
    return Path(landing_root) / unit / feed / f"{business_date:%Y%m%d}"


def write_delivery(
    landing_root: Path | str,
    unit: str,
    feed: str,
    business_date: date,
    rows: list[dict[str, object]],
    sequence: int = 1,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    file_name: str | None = None,
    faults: FaultSpec = None,
    date_cells: bool = False,
    line_ending: str | None = None,
    max_rows_per_file: int | None = None,
    catalogue: cat.Catalogue | None = None,
) -> dict[str, object]:
    """Write ``<landing_root>/<unit>/<feed>/<YYYYMMDD>/`` and its manifest; return the manifest.

    Format, encoding and delimiter default to the catalogue's entry for (unit, feed). Dates are
    written in the feed's ``date_format``; in xlsx, ``date_cells`` writes them as date cells.
    CSV line endings default to ``\\r\\n`` for GBK units (older Windows systems), else ``\\n``.
    """
    catalogue = catalogue or cat.load()
    spec = catalogue.delivery(unit, feed)
    feed_spec = catalogue.feed(feed)
    fault = as_faults(faults, feed_spec)
    fmt = fmt or spec.format or "csv"
    encoding = encoding or spec.encoding or "utf-8"
    delimiter = delimiter or spec.delimiter or ","
    line_ending = line_ending or ("\r\n" if encoding == "gbk" else "\n")

    unknown = {k for r in rows for k in r} - set(feed_spec.columns)
    if unknown:
        raise ValueError(f"rows carry columns not in the catalogue for {feed}: {sorted(unknown)}")
    columns = [c for c in feed_spec.columns if c != fault.missing_column]
    header = list(columns) + ([fault.extra_column] if fault.extra_column else [])

    keep_dates = fmt == "xlsx" and date_cells
    out_rows: list[list[object]] = []
    for i, row in enumerate([] if fault.empty else rows):
        cells = _cells(feed_spec, row, columns, keep_dates)
        if fault.extra_column:
            cells.append(f"附加{i + 1}")
        if fault.quoted_newline == i:
            cells = _newline_in(feed_spec, cells, columns)
        if i in fault.bad_rows:
            cells = _break_row(feed_spec, cells, columns, fault.bad_rows[i])
        out_rows.append(cells)

    folder = delivery_folder(landing_root, unit, feed, business_date)
    folder.mkdir(parents=True, exist_ok=True)
    _clear_folder(folder)

    ext = "xlsx" if fmt == "xlsx" else "csv"
    stem = (file_name or f"{feed}_{business_date:%Y%m%d}.{ext}").rsplit(".", 1)[0]
    chunk = max_rows_per_file or max(len(out_rows), 1)
    parts = [out_rows[i:i + chunk] for i in range(0, len(out_rows), chunk)] or [[]]
    fixed_time = datetime(business_date.year, business_date.month, business_date.day, 23, 0, 0)
    files = []
    for n, part in enumerate(parts):
        name = f"{stem}.{ext}" if len(parts) == 1 else f"{stem}_{n + 1:03d}.{ext}"
        if fmt == "xlsx":
            data = _xlsx_bytes(part, header, fixed_time)
        else:
            data = _csv_bytes(part, header, encoding, delimiter, line_ending)
        (folder / name).write_bytes(data)
        sha = _sha256(data + b"\n") if fault.checksum_mismatch else _sha256(data)
        files.append({"name": name, "rows": len(part) + (1 if fault.row_count_mismatch else 0), "sha256": sha})

    manifest: dict[str, object] = {
        "unit": unit, "feed": feed, "business_date": business_date.isoformat(),
        "sequence": sequence, "files": files,
    }
    if not fault.no_manifest:
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        (folder / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def read_delivery(folder: Path | str, catalogue: cat.Catalogue | None = None) -> tuple[dict, list[dict[str, str]]]:
    """Manifest and rows (text per catalogue column) of one complete delivery folder.

    A plain reader for the rig's own checks; it trusts the manifest and does no quarantine.
    """
    catalogue = catalogue or cat.load()
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    spec = catalogue.delivery(manifest["unit"], manifest["feed"])
    feed = catalogue.feed(manifest["feed"])
    rows: list[dict[str, str]] = []
    for f in manifest["files"]:
        path = folder / f["name"]
        if path.suffix == ".xlsx":
            rows.extend(_read_xlsx(path, feed))
        else:
            encoding = {"gbk": "gb18030"}.get(spec.encoding or "utf-8", spec.encoding or "utf-8")
            text = path.read_bytes().decode(encoding)
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter or ",")
            header = next(reader)
            rows.extend(dict(zip(header, r, strict=False)) for r in reader)
    return manifest, rows


def _read_xlsx(path: Path, feed: cat.Feed) -> list[dict[str, str]]:
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [str(h) for h in next(it) if h is not None]
        out = []
        for values in it:
            rec: dict[str, str] = {}
            for col, v in zip(header, values, strict=False):
                typ = feed.columns.get(col, "text")
                if isinstance(v, datetime | date):
                    rec[col] = fmt_value(v if not isinstance(v, datetime) else v.date(), typ, feed.date_format)
                else:
                    rec[col] = "" if v is None else str(v)
            out.append(rec)
        return out
    finally:
        wb.close()


class DeliveryWriter:
    """``write_delivery`` for rows that arrive one at a time (no faults): the same bytes, but the
    rows go to disk as they come, so a city-size history never sits in memory."""

    def __init__(self, landing_root: Path | str, unit: str, feed: str, business_date: date, sequence: int = 1, *,
                 date_cells: bool = False, catalogue: cat.Catalogue | None = None) -> None:
        catalogue = catalogue or cat.load()
        spec = catalogue.delivery(unit, feed)
        self.feed_spec = catalogue.feed(feed)
        self.unit, self.feed, self.business_date, self.sequence = unit, feed, business_date, sequence
        self.fmt = spec.format or "csv"
        self.columns = list(self.feed_spec.columns)
        self.keep_dates = self.fmt == "xlsx" and date_cells
        self.folder = delivery_folder(landing_root, unit, feed, business_date)
        self.folder.mkdir(parents=True, exist_ok=True)
        _clear_folder(self.folder)
        ext = "xlsx" if self.fmt == "xlsx" else "csv"
        self.name = f"{feed}_{business_date:%Y%m%d}.{ext}"
        self.rows = 0
        if self.fmt == "xlsx":
            self.wb = Workbook(write_only=True)
            self.fixed_time = datetime(business_date.year, business_date.month, business_date.day, 23, 0, 0)
            self.wb.properties.created = self.wb.properties.modified = self.fixed_time
            self.ws = self.wb.create_sheet("Sheet1")
            self.ws.append(self.columns)
        else:
            encoding = spec.encoding or "utf-8"
            line_ending = "\r\n" if encoding == "gbk" else "\n"
            self.fh = (self.folder / self.name).open("w", encoding=encoding, newline="")
            self.writer = csv.writer(self.fh, delimiter=spec.delimiter or ",", lineterminator=line_ending)
            self.writer.writerow(self.columns)

    def add(self, row: Mapping[str, object]) -> None:
        cells = _cells(self.feed_spec, row, self.columns, self.keep_dates)
        self.rows += 1
        if self.fmt == "xlsx":
            while cells and cells[-1] in ("", None):
                cells.pop()
            self.ws.append([None if c == "" else c for c in cells])
        else:
            self.writer.writerow(cells)

    def close(self) -> dict[str, object]:
        path = self.folder / self.name
        if self.fmt == "xlsx":
            raw = io.BytesIO()
            self.wb.save(raw)
            path.write_bytes(_deterministic_zip(raw.getvalue(), self.fixed_time))
        else:
            self.fh.close()
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        manifest: dict[str, object] = {
            "unit": self.unit, "feed": self.feed, "business_date": self.business_date.isoformat(),
            "sequence": self.sequence, "files": [{"name": self.name, "rows": self.rows, "sha256": digest.hexdigest()}],
        }
        (self.folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
        return manifest
