"""CSV fast path: PostgreSQL parses and types a delivered file; Python only checks it may.

The file's bytes go unchanged through ``COPY … FROM STDIN (FORMAT csv)`` into a temporary
staging table of text columns (header order, plus the record's ordinal), then one
``INSERT INTO raw.<feed> SELECT`` types them. The result is the Python path's (readers.py →
values.py → rawload.py), row for row:

- Parsing. PostgreSQL's CSV reader and Python's ``csv`` (strict) read the same fields from
  RFC 4180 text; they differ on quotes out of place (``ab"c``, ``"a"b``), quoted line breaks
  (line numbers), over-long fields and blank lines. While streaming, every line holding a quote
  must be well-formed RFC 4180 on its own, no line may be longer than ``csv.field_size_limit``,
  and the staged record count must equal the physical lines after the header: each record is
  then one line, so ``_line`` = ordinal + 1. Anything else, and every COPY error (wrong field
  count, bytes not valid in the encoding, a stray carriage return), sends the file whole to the
  Python path. GB18030: PostgreSQL's conversion and Python's ``gb18030`` codec agree on every
  1-, 2- and 4-byte sequence (checked exhaustively against PostgreSQL 15).
- Typing (ingest/fastcopy_sql.py). The SQL types only what values.py's compiled parsers accept
  on their fast paths, to the same value. A row with any other non-blank value, or an empty
  key, is *deferred*: read back and given to ``RawWriter.add``, which types it or quarantines
  it with values.py's own reason and the line's raw text, exactly as the Python path does.

A file whose every value can be typed as values.py would, without SQL, goes further: one binary
COPY straight into its raw table, no stage (ingest/fastcopy_direct.py); any other file takes the
stage path.

The direct path's compiled loops take ~2 s to load in a new process (numba), which only a
file of a block or more (``DIRECT_MIN_BYTES``) pays back: until a process has loaded them,
smaller files take the stage path.
``INGEST_CSV_LOADER=direct`` (or ``loader="direct"``) sends every file the direct way first;
``stage`` skips the direct path; ``python`` turns the fast path off.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from ingest import fastcopy_direct as direct
from ingest.catalogue import Delivery
from ingest.fastcopy_sql import STAGE, extra_json, stage_types, typed_select
from ingest.rawload import RawWriter
from ingest.warehouse import raw_column_names, raw_table

log = logging.getLogger(__name__)

LOADER_ENV = "INGEST_CSV_LOADER"
PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gbk": "GB18030"}
PY_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gbk": "gb18030"}
BLOCK = 1 << 22
DIRECT_MIN_BYTES = BLOCK


class Fallback(Exception):
    """This file must go through the Python path."""


def _loader(loader: str | None) -> str:
    return (loader or os.environ.get(LOADER_ENV) or "copy").lower()


def use_fast_path(loader: str | None = None) -> bool:
    return _loader(loader) != "python"


def use_direct_path(path: Path, loader: str | None = None) -> bool:
    """Whether this file tries the direct path first."""
    chosen = _loader(loader)
    return chosen == "direct" or (chosen == "copy" and (
        direct.kernels_loaded() or path.stat().st_size >= DIRECT_MIN_BYTES))


# ---- streaming prescan ---------------------------------------------------------------------

@dataclass
class _Scan:
    """Physical lines of the file and where its blocks start, for raw text on demand."""

    lines: int = 0
    blocks: list[tuple[int, int, int]] = field(default_factory=list)  # offset, first line, length


def _line_pattern(delimiter: str) -> str:
    d = re.escape(delimiter)
    cell = rf'(?:"(?:[^"]|"")*"|[^"{d}\r\n]*)'
    return rf"{cell}(?:{d}{cell})*\r?"


class _QuoteCheck:
    """Lines holding a quote must be RFC 4180 fields on one line (then both readers agree)."""

    def __init__(self, delimiter: str, codec: str) -> None:
        pattern = _line_pattern(delimiter)
        byte = ord(delimiter) if len(delimiter) == 1 else 0
        # GB18030 trail bytes reach into ASCII (0x30-0x39, 0x40-0xFE): a "|" may be half of a
        # character there, so such files are checked as text, not bytes.
        self.as_text = codec != "utf-8" and (0x30 <= byte <= 0x39 or byte >= 0x40)
        self.codec = codec
        self.line = re.compile(pattern if self.as_text else pattern.encode())
        self.block = re.compile(rf"(?:{pattern}\n)*(?:{pattern})?" if self.as_text
                                else rf"(?:{pattern}\n)*(?:{pattern})?".encode())

    def _text(self, data: bytes) -> str | bytes:
        if not self.as_text:
            return data
        try:
            return data.decode(self.codec)
        except UnicodeDecodeError:
            raise Fallback("bytes not valid in the encoding") from None

    def __call__(self, block: bytes) -> None:
        quotes = block.count(b'"')
        if not quotes:
            return
        if quotes * 200 > len(block):  # quotes on most lines: one C-speed match of the block
            if not self.block.fullmatch(self._text(block)):  # type: ignore[arg-type]
                raise Fallback("quoting outside RFC 4180 on one line")
            return
        pos = block.find(b'"')
        while pos >= 0:
            start = block.rfind(b"\n", 0, pos) + 1
            end = block.find(b"\n", pos)
            end = len(block) if end < 0 else end
            if not self.line.fullmatch(self._text(block[start:end])):  # type: ignore[arg-type]
                raise Fallback("quoting outside RFC 4180 on one line")
            pos = block.find(b'"', end)


def _check_line_lengths(block: bytes, limit: int) -> None:
    """Python's csv refuses a field longer than its limit; PostgreSQL does not."""
    pos = 0
    while len(block) - pos > limit + 1:
        newline = block.rfind(b"\n", pos, pos + limit + 1)
        if newline < 0:
            raise Fallback("a line longer than csv.field_size_limit()")
        pos = newline + 1


def _blocks(fh: BinaryIO) -> Iterator[bytes]:
    """The rest of the file in blocks of whole lines (the last may lack its newline)."""
    carry = b""
    while True:
        chunk = fh.read(BLOCK)
        data = carry + chunk if carry else chunk
        if not chunk:
            if data:
                yield data
            return
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        carry = data[cut:]
        yield data[:cut]


def _stream(copy: psycopg.Copy, path: Path, check: _QuoteCheck) -> _Scan:
    scan, offset = _Scan(), 0
    limit = csv.field_size_limit()
    with open(path, "rb") as fh:
        for block in _blocks(fh):
            check(block)
            _check_line_lengths(block, limit)
            scan.blocks.append((offset, scan.lines + 1, len(block)))
            scan.lines += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            offset += len(block)
            copy.write(block)
    return scan


def _copy_direct(conn: psycopg.Connection, writer: RawWriter, path: Path, plan: direct.Plan) -> int:
    """The direct path (ingest/fastcopy_direct.py): the number of records, or NotDirect. Lines
    with a value only values.py may judge are typed (or quarantined) by it after the COPY."""
    meta = direct.meta_fields(writer.delivery_id, writer.key.business_date, writer.key.sequence, path.name)
    limit, lines, deferred = csv.field_size_limit(), 0, []
    if conn.info.encoding != "utf-8":  # the tuples' text is UTF-8 (binary COPY decodes by the session)
        raise direct.NotDirect(f"client encoding {conn.info.encoding}")
    with conn.cursor() as cur:
        # a queued writer: the next block is built while PostgreSQL reads this one
        with cur.copy(direct.copy_statement(plan), writer=QueuedLibpqWriter(cur)) as copy, open(path, "rb") as fh:
            fh.readline()  # the header: checked by the caller
            copy.write(direct.SIGNATURE)
            for block in _blocks(fh):
                try:
                    _check_line_lengths(block, limit)
                except Fallback as exc:
                    raise direct.NotDirect(str(exc)) from None
                checked = direct.check_block(plan, block, lines + 2, meta)
                lines += checked.lines
                deferred += checked.deferred
                copy.write(checked.data)
            copy.write(direct.TRAILER)
        copied = cur.rowcount
    if copied + len(deferred) != lines:
        raise direct.NotDirect(f"{copied} records and {len(deferred)} deferred on {lines} lines")
    delimiter = chr(plan.delimiter)
    for line, text in deferred:  # one record per line, RFC 4180: checked in the block
        cells = next(csv.reader([text], delimiter=delimiter, quotechar='"', strict=True))
        writer.add(dict(zip(plan.header, cells, strict=True)), file=path.name, line=line, raw_text=text)
    writer.flush()
    writer.rows += copied
    if deferred:
        log.debug("%s: %s lines typed by values.py", path.name, len(deferred))
    return lines


# ---- one file ------------------------------------------------------------------------------

class _Lines:
    """Raw text of physical lines, read block by block (deferred rows come in line order)."""

    def __init__(self, path: Path, scan: _Scan, codec: str) -> None:
        self.path, self.scan, self.codec = path, scan, codec
        self._block: tuple[int, list[bytes]] | None = None

    def __call__(self, line: int) -> str:
        offset, first, length = next(b for b in reversed(self.scan.blocks) if b[1] <= line)
        if self._block is None or self._block[0] != first:
            with open(self.path, "rb") as fh:
                fh.seek(offset)
                self._block = (first, fh.read(length).split(b"\n"))
        raw = self._block[1][line - first]
        try:
            return raw.decode(self.codec).rstrip("\r\n")
        except UnicodeDecodeError:  # not reachable: COPY refused such bytes
            return raw.decode(self.codec, errors="replace").rstrip("\r\n")


def load_csv(writer: RawWriter, path: Path, header: list[str], delivery: Delivery,
             direct_path: bool = True) -> int | None:
    """Load one CSV file through COPY (direct, else staged); the number of records, or None if
    the file must take the Python path (nothing of it has then been written)."""
    encoding = delivery.encoding or "utf-8"
    if encoding not in PG_ENCODINGS or len(header) < 2 or len(delivery.delimiter) != 1:
        return None
    conn, feed = writer.conn, writer.feed
    codec = PY_CODECS[encoding]
    writer.flush()
    plan = direct.plan(delivery, header, codec) if direct_path else None
    if plan is not None:
        try:
            with writer.savepoint():  # the stage path then starts from nothing
                records = _copy_direct(conn, writer, path, plan)
        except (direct.NotDirect, psycopg.errors.DataError) as exc:
            log.info("%s: stage path (%s)", path.name, str(exc).splitlines()[0])
        else:
            log.debug("%s: COPY direct path, %s records", path.name, records)
            return records
    try:
        with conn.transaction():  # a savepoint: a fallback leaves no trace
            staged, scan, loaded, deferred = _copy_and_type(conn, writer, path, header, delivery, codec)
    except Fallback as exc:
        log.info("%s: Python path (%s)", path.name, exc)
        return None
    except psycopg.errors.DataError as exc:
        log.info("%s: Python path (COPY: %s)", path.name, str(exc).splitlines()[0])
        return None
    writer.rows += loaded
    known = set(feed.column_names)
    if loaded and any(h not in known for h in header):
        writer.extra_columns.update(h for h in header if h not in known)
    raw_line = _Lines(path, scan, codec)
    for n, *cells in deferred:
        record = dict(zip(header, cells, strict=True))
        writer.add(record, file=path.name, line=n + 1, raw_text=lambda line=n + 1: raw_line(line))
    writer.flush()
    log.debug("%s: COPY fast path, %s rows typed in SQL, %s by values.py", path.name, loaded, len(deferred))
    return staged


def _as_text(value: object) -> str:
    """A staged cell as the text csv.reader would have given (COPY typed amounts only when
    they were plain numbers, which read back to the same value)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal) and not value.is_finite():
        raise Fallback("NaN amount: its spelling is needed for the quarantine")
    return str(value)


def _copy_and_type(conn: psycopg.Connection, writer: RawWriter, path: Path, header: list[str],
                   delivery: Delivery, codec: str) -> tuple[int, _Scan, int, list[list[str]]]:
    feed = writer.feed
    version = conn.info.server_version
    cells = sql.SQL(", ").join(sql.Identifier(f"c{j}") for j in range(len(header)))
    conn.execute(sql.SQL("drop table if exists {}").format(STAGE))
    # n: the record's ordinal, in file order (a cached sequence: nextval costs as much as COPY).
    conn.execute(sql.SQL("create temp table {} (n bigint generated always as identity (cache 1000000), {}) on commit drop").format(
        STAGE, sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(f"c{j}"), sql.SQL(t))
                                  for j, t in enumerate(stage_types(feed, header, version)))))
    options = sql.SQL("format csv, header true, delimiter {}, encoding {}").format(
        sql.Literal(delivery.delimiter), sql.Literal(PG_ENCODINGS[delivery.encoding or "utf-8"]))
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        with cur.copy(sql.SQL("copy {} ({}) from stdin with ({})").format(STAGE, cells, options)) as copy:
            scan = _stream(copy, path, _QuoteCheck(delivery.delimiter, codec))
        staged = cur.rowcount
    if staged != scan.lines - 1:
        raise Fallback(f"{staged} records on {scan.lines - 1} lines (a quoted line break or a blank line)")
    t1 = time.perf_counter()
    typed = typed_select(conn, feed, header, version)
    source = sql.SQL("{} s {}").format(STAGE, sql.SQL(" ").join(typed.joins))
    ok = sql.SQL(" and ").join(typed.oks) if typed.oks else sql.SQL("true")
    tail = [sql.Literal(writer.delivery_id), sql.Literal(writer.key.business_date),
            sql.Literal(writer.key.sequence), sql.SQL("s.n + 1"), sql.Literal(path.name), extra_json(feed, header)]
    insert = sql.SQL("insert into {} ({}) select {} from {} where {}").format(
        raw_table(feed.name), sql.SQL(", ").join(sql.Identifier(c) for c in raw_column_names(feed)),
        sql.SQL(", ").join([*typed.values, *tail]), source, ok)
    deferred: list[list[str]] = []
    with conn.cursor() as cur:
        cur.execute(insert)
        loaded = cur.rowcount
        if loaded < staged:
            cur.execute(sql.SQL("select s.n, {} from {} where ({}) is not true order by s.n").format(
                sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(f"c{j}")) for j in range(len(header))),
                source, ok))
            deferred = [[n, *map(_as_text, cells)] for n, *cells in cur.fetchall()]
    conn.execute(sql.SQL("drop table {}").format(STAGE))
    log.debug("%s: copy %.2fs, type %.2fs", path.name, t1 - t0, time.perf_counter() - t1)
    if loaded + len(deferred) != staged:
        raise Fallback(f"typed {loaded} + deferred {len(deferred)} rows of {staged}")  # never expected
    return staged, scan, loaded, deferred
