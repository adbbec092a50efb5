"""Stream parsed records of one delivery into its raw table through COPY.

Each record is typed per the catalogue; a record that does not parse goes to the quarantine
with its place, raw text and reason, and the rest of the delivery loads.
"""

from __future__ import annotations

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
        # One parser per column, built once per delivery (the hot path: every value of every row).
        key = set(self.feed.key)
        self._parsers = [(c.name, column_parser(c, self.feed), c.name in key) for c in self.feed.columns]
        self._known = set(self.feed.column_names)
        self._tail = (self.delivery_id, self.key.business_date, self.key.sequence)

    def reject(self, file: str | None, line: int | None, raw_text: str, reason: str) -> None:
        self.quarantined.append(QuarantinedRow(file, line, raw_text, reason))

    def add(self, record: dict[str, object], *, file: str | None, line: int | None, raw_text: str) -> None:
        get = record.get
        try:
            values = []
            for name, parse, is_key in self._parsers:
                value = parse(get(name))
                if value is None and is_key:
                    raise BadValue(f"{name}: key column is empty")
                values.append(value)
        except BadValue as exc:
            self.reject(file, line, raw_text, str(exc))
            return
        extra = None
        if len(record) != len(self._parsers) or not self._known.issuperset(record):
            extra = {k: v for k, v in record.items() if k not in self._known} or None
            if extra:
                self.extra_columns.update(extra)
        self._copy.write_row((*values, *self._tail, line, file, Jsonb(extra) if extra else None))
        self.rows += 1

    def finish(self) -> None:
        self._copy_cm.__exit__(None, None, None)
        self._cursor.close()
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
        try:
            self._copy_cm.__exit__(RuntimeError, RuntimeError("aborted"), None)
        except Exception:  # noqa: BLE001 - the transaction is being rolled back anyway
            pass
