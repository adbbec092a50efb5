"""Read delivered files record by record: CSV in its encoding and delimiter, or xlsx.

Readers stream (no whole-file DataFrames) and yield, per record, either its fields keyed by
header, or the reason it is malformed, always with its line and raw text for the quarantine.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

# delivery.md: read gbk as GB18030, its superset. A stray BOM in a utf-8 feed is tolerated.
CODECS = {"utf-8": "utf-8-sig", "utf-8-sig": "utf-8-sig", "gbk": "gb18030"}


class FileUnreadable(ValueError):
    """The file as a whole cannot be read (no header, not a workbook, …)."""


@dataclass
class Record:
    line: int
    raw_text: str
    fields: dict[str, object] | None  # None when malformed
    problem: str | None = None


def _decoded_lines(path: Path, encoding: str) -> Iterator[tuple[str, str | None]]:
    """Lines of text, each with a decoding problem if its bytes do not fit the encoding."""
    codec = CODECS.get(encoding, encoding)
    first = True
    with open(path, "rb") as fh:
        for raw in fh:
            if first and codec == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            first = False
            plain = "utf-8" if codec == "utf-8-sig" else codec
            try:
                yield raw.decode(plain), None
            except UnicodeDecodeError:
                yield raw.decode(plain, errors="replace"), f"bytes not valid {encoding}"


class _LineTap:
    """Feeds lines to csv.reader while keeping the raw text of the current record."""

    def __init__(self, lines: Iterator[tuple[str, str | None]]) -> None:
        self._lines = lines
        self.buffer: list[str] = []
        self.problem: str | None = None

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        text, problem = next(self._lines)
        self.buffer.append(text)
        if problem:
            self.problem = problem
        return text

    def take(self) -> tuple[str, str | None]:
        raw = "".join(self.buffer).rstrip("\r\n")
        problem = self.problem
        self.buffer, self.problem = [], None
        return raw, problem


def _read_header(reader, tap: _LineTap, path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileUnreadable(f"{path.name}: empty file, no header row") from None
    except csv.Error as exc:
        raise FileUnreadable(f"{path.name}: unreadable header: {exc}") from None
    _, problem = tap.take()
    if problem:
        raise FileUnreadable(f"{path.name}: header {problem}")
    return header


def csv_header(path: Path, encoding: str, delimiter: str) -> tuple[list[str], int]:
    """The header exactly as ``read_csv`` reads it (same errors), and how many physical lines
    it spans (the COPY fast path numbers lines only when it is one)."""
    lines = _decoded_lines(path, encoding)
    try:
        tap = _LineTap(lines)
        reader = csv.reader(tap, delimiter=delimiter, quotechar='"', strict=True)
        return _read_header(reader, tap, path), reader.line_num
    finally:
        lines.close()


def read_csv(path: Path, encoding: str, delimiter: str) -> tuple[list[str], Iterator[Record]]:
    tap = _LineTap(_decoded_lines(path, encoding))
    reader = csv.reader(tap, delimiter=delimiter, quotechar='"', strict=True)
    header = _read_header(reader, tap, path)

    def records() -> Iterator[Record]:
        line = 2
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raw, _ = tap.take()
                yield Record(line, raw, None, f"unparseable CSV: {exc}")
                line = reader.line_num + 1
                continue
            raw, problem = tap.take()
            start, line = line, reader.line_num + 1
            if not fields:  # a blank line is no record
                continue
            if problem:
                yield Record(start, raw, None, problem)
            elif len(fields) != len(header):
                yield Record(start, raw, None, f"{len(fields)} fields, header has {len(header)}")
            else:
                yield Record(start, raw, dict(zip(header, fields, strict=True)))

    return header, records()


def _cell_text(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def read_xlsx(path: Path) -> tuple[list[str], Iterator[Record]]:
    """First sheet, header in row 1. Cells are read as written, not as cached results: a
    spreadsheet's ``="2101…"`` (resident-id.md's dirt) often has no cached value, and reading
    results only would turn the identity number into an empty cell."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any failure here means "not a readable workbook"
        raise FileUnreadable(f"{path.name}: not a readable xlsx workbook ({exc})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header_cells = next(rows)
    except StopIteration:
        book.close()
        raise FileUnreadable(f"{path.name}: empty sheet, no header row") from None
    while header_cells and header_cells[-1] in (None, ""):
        header_cells = header_cells[:-1]
    header = [str(h).strip() for h in header_cells]
    width = len(header)

    def records() -> Iterator[Record]:
        try:
            for number, cells in enumerate(rows, start=2):
                cells = tuple(cells or ())
                if all(c in (None, "") for c in cells):
                    continue
                raw = json.dumps([_cell_text(c) for c in cells], ensure_ascii=False)
                beyond = [c for c in cells[width:] if c not in (None, "")]
                if beyond:
                    yield Record(number, raw, None, f"non-empty cells beyond the header's {width} columns")
                    continue
                padded = list(cells[:width]) + [None] * (width - len(cells[:width]))
                yield Record(number, raw, dict(zip(header, padded, strict=True)))
        finally:
            book.close()

    return header, records()
