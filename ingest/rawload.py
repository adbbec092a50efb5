"""Stream parsed records of one delivery into its raw table through COPY.

Each record is typed per the catalogue; a record that does not parse goes to the quarantine
with its place, raw text and reason, and the rest of the delivery loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from ingest.catalogue import Feed
from ingest.ledger import DeliveryKey
from ingest.values import BadValue, column_parser
from ingest.warehouse import raw_column_names, raw_table


@dataclass
class QuarantinedRow:
    file: str | None
    line: int | None
    raw_text: str
    reason: str


@dataclass
class RawWriter:
    """Typed COPY of one delivery's records; call ``add`` per record, then ``finish``."""

    conn: psycopg.Connection
    feed: Feed
    key: DeliveryKey
    delivery_id: int
    rows: int = 0
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    extra_columns: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        # One parser per column, built once per delivery (the hot path: every value of every row).
        key = set(self.feed.key)
        self._parsers = [(c.name, column_parser(c, self.feed), c.name in key) for c in self.feed.columns]
        self._known = set(self.feed.column_names)
        self._tail = (self.delivery_id, self.key.business_date, self.key.sequence)
        self._copy_cm = None
        self._copy = None
        self._cursor: psycopg.Cursor | None = None

    def _open(self):  # type: ignore[no-untyped-def]
        """The COPY into raw, opened at the first row and closed by ``flush``: the COPY fast
        path (ingest/fastcopy.py) runs its own statements on the connection between files."""
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in raw_column_names(self.feed))
        self._cursor = self.conn.cursor()
        self._copy_cm = self._cursor.copy(
            sql.SQL("copy {} ({}) from stdin").format(raw_table(self.feed.name), cols)
        )
        types = [*(c.pg_type.split("(")[0] for c in self.feed.columns),
                 "bigint", "date", "integer", "integer", "text", "jsonb"]
        self._copy = self._copy_cm.__enter__()
        try:
            # Declared COPY types: psycopg picks each column's dumper once, not per value.
            self._copy.set_types(types)
        except BaseException:
            self.abort()
            raise
        return self._copy

    def reject(self, file: str | None, line: int | None, raw_text: str, reason: str) -> None:
        self.quarantined.append(QuarantinedRow(file, line, raw_text, reason))

    def add(self, record: dict[str, object], *, file: str | None, line: int | None,
            raw_text: str | Callable[[], str]) -> None:
        """Type one record into raw, or quarantine it; ``raw_text`` may be a function, called
        only for a quarantined record (the fast path fetches it from the file on demand)."""
        get = record.get
        try:
            values = []
            for name, parse, is_key in self._parsers:
                value = parse(get(name))
                if value is None and is_key:
                    raise BadValue(f"{name}: key column is empty")
                values.append(value)
        except BadValue as exc:
            self.reject(file, line, raw_text if isinstance(raw_text, str) else raw_text(), str(exc))
            return
        extra = None
        if len(record) != len(self._parsers) or not self._known.issuperset(record):
            extra = {k: v for k, v in record.items() if k not in self._known} or None
            if extra:
                self.extra_columns.update(extra)
        (self._copy or self._open()).write_row((*values, *self._tail, line, file, Jsonb(extra) if extra else None))
        self.rows += 1

    def flush(self) -> None:
        """End the COPY into raw, if one is open, so other statements can run."""
        if self._copy_cm is not None:
            cm, cursor = self._copy_cm, self._cursor
            self._copy_cm = self._copy = self._cursor = None
            cm.__exit__(None, None, None)
            cursor.close()  # type: ignore[union-attr]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A savepoint of the delivery's transaction and of this writer: if the block raises,
        the rows it wrote, quarantined or counted are undone (a file's loader may then try the
        next way to read it)."""
        self.flush()
        rows, quarantined, extra = self.rows, len(self.quarantined), set(self.extra_columns)
        try:
            with self.conn.transaction():
                try:
                    yield
                except BaseException:
                    self.abort()  # a COPY left open would keep the savepoint from rolling back
                    raise
                self.flush()
        except BaseException:
            self.rows, self.extra_columns = rows, extra
            del self.quarantined[quarantined:]
            raise

    def finish(self) -> None:
        self.flush()
        if not self.quarantined:
            return
        with self.conn.cursor().copy(
            "copy meta.quarantine (delivery_id, unit, feed, business_date, file, line, raw_text, reason)"
            " from stdin"
        ) as copy:
            for q in self.quarantined:
                copy.write_row(
                    (self.delivery_id, self.key.unit, self.key.feed, self.key.business_date,
                     q.file, q.line, q.raw_text, q.reason)
                )

    def abort(self) -> None:
        if self._copy_cm is None:
            return
        cm, self._copy_cm, self._copy, self._cursor = self._copy_cm, None, None, None
        try:
            cm.__exit__(RuntimeError, RuntimeError("aborted"), None)
        except Exception:  # noqa: BLE001 - the transaction is being rolled back anyway
            pass
