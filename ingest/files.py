"""File deliveries: ``<landing>/<unit>/<feed>/<YYYYMMDD>/`` with ``manifest.json`` written last.

A delivery loads whole or not at all: the manifest's sha256 and record counts are checked,
the header must carry every catalogue column, and the rows go to raw in one transaction
together with their ledger entry (delivery.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime
from pathlib import Path

import psycopg

from ingest import fastcopy, ledger
from ingest.catalogue import Delivery
from ingest.ledger import DeliveryKey, Outcome
from ingest.rawload import RawWriter
from ingest.readers import FileUnreadable, csv_header, read_csv, read_xlsx

log = logging.getLogger(__name__)


class DeliveryInvalid(ValueError):
    """The delivery as a whole is refused; nothing of it loads."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def delivery_folders(landing: Path, delivery: Delivery) -> list[Path]:
    """Complete delivery folders of this unit and feed (with a manifest), oldest date first."""
    base = landing / delivery.unit / delivery.feed.name
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / "manifest.json").is_file())


def _folder_date(folder: Path) -> date:
    try:
        return datetime.strptime(folder.name, "%Y%m%d").date()
    except ValueError:
        raise DeliveryInvalid(f"folder name {folder.name!r} is not a YYYYMMDD business date") from None


def _read_manifest(folder: Path, delivery: Delivery) -> tuple[dict, DeliveryKey]:
    raw = (folder / "manifest.json").read_bytes()
    fingerprint = hashlib.sha256(raw).hexdigest()
    folder_date = _folder_date(folder)
    key = DeliveryKey(delivery.unit, delivery.feed.name, "file", folder_date, 0, fingerprint)
    try:
        manifest = json.loads(raw.decode("utf-8-sig"))
        sequence = int(manifest["sequence"])
        business_date = date.fromisoformat(str(manifest["business_date"]))
        files = manifest["files"]
        if not isinstance(files, list) or not all({"name", "rows", "sha256"} <= set(f) for f in files):
            raise ValueError("files must list name, rows and sha256")
    except (ValueError, KeyError, TypeError) as exc:
        raise DeliveryInvalid(f"manifest unreadable: {exc}") from None
    key = DeliveryKey(delivery.unit, delivery.feed.name, "file", folder_date, sequence, fingerprint)
    if manifest.get("unit") != delivery.unit or manifest.get("feed") != delivery.feed.name:
        raise _Invalid(key, f"manifest names {manifest.get('unit')}/{manifest.get('feed')}, "
                            f"folder is {delivery.unit}/{delivery.feed.name}")
    if business_date != folder_date:
        raise _Invalid(key, f"manifest business_date {business_date} differs from folder {folder.name}")
    return manifest, key


class _Invalid(DeliveryInvalid):
    def __init__(self, key: DeliveryKey, reason: str) -> None:
        super().__init__(reason)
        self.key = key


def _check_files(folder: Path, manifest: dict) -> None:
    for entry in manifest["files"]:
        path = folder / entry["name"]
        if not path.is_file():
            raise DeliveryInvalid(f"{entry['name']}: listed in the manifest but missing")
        if _sha256(path) != str(entry["sha256"]).lower():
            raise DeliveryInvalid(f"{entry['name']}: sha256 differs from the manifest")


def _format(path: Path, delivery: Delivery) -> str:
    return delivery.format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")


def _open_file(path: Path, delivery: Delivery):
    if _format(path, delivery) == "xlsx":
        return read_xlsx(path)
    return read_csv(path, delivery.encoding or "utf-8", delivery.delimiter)


def load_folder(conn: psycopg.Connection, folder: Path, delivery: Delivery, loader: str | None = None) -> Outcome:
    """Load one delivery folder, idempotently; never raises for a bad delivery (it is recorded).

    ``loader``: ``"python"`` reads CSV files in Python; default (or ``INGEST_CSV_LOADER``)
    loads them by COPY, with the same result: straight into the raw table
    (ingest/fastcopy_direct.py; files of 4 MB or more, any once the process has its compiled
    loops, or any with ``"direct"``), else through a
    staging table (ingest/fastcopy.py); ``"stage"`` skips the first."""
    feed = delivery.feed
    try:
        manifest, key = _read_manifest(folder, delivery)
    except _Invalid as exc:
        return _reject(conn, exc.key, str(exc))
    except DeliveryInvalid as exc:
        fingerprint = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
        key = DeliveryKey(delivery.unit, feed.name, "file", _safe_date(folder), 0, fingerprint)
        return _reject(conn, key, str(exc))

    status = ledger.seen(conn, key)
    if status is not None:
        return Outcome(key.unit, key.feed, key.business_date, key.sequence, "seen", reason=status)
    loaded = ledger.highest_loaded_sequence(conn, key)
    if loaded is not None and key.sequence <= loaded:
        reason = (f"sequence {key.sequence} already loaded" if key.sequence == loaded
                  else f"sequence {key.sequence} is older than loaded sequence {loaded}")
        with conn.transaction():
            ledger.record(conn, key, "duplicate", reason, manifest["files"])
        return Outcome(key.unit, key.feed, key.business_date, key.sequence, "duplicate", reason=reason)

    try:
        _check_files(folder, manifest)
        with conn.transaction():
            # A commit lost in a server crash only means the delivery loads again next run
            # (the ledger is the idempotency key), so the load need not wait for the WAL flush.
            conn.execute("set local synchronous_commit = off")
            delivery_id = ledger.open_loaded(conn, key, manifest["files"])
            writer = RawWriter(conn, feed, key, delivery_id)
            try:
                for entry in manifest["files"]:
                    _load_file(writer, folder / entry["name"], delivery, int(entry["rows"]), loader)
            except BaseException:
                writer.abort()
                raise
            writer.finish()
            ledger.close_loaded(conn, delivery_id, writer.rows, len(writer.quarantined),
                                sorted(writer.extra_columns))
            ledger.supersede_earlier(conn, key, delivery_id)
    except DeliveryInvalid as exc:
        return _reject(conn, key, str(exc), manifest["files"])
    log.info("loaded %s/%s %s seq %s: %s rows, %s quarantined", key.unit, key.feed,
             key.business_date, key.sequence, writer.rows, len(writer.quarantined))
    return Outcome(key.unit, key.feed, key.business_date, key.sequence, "loaded", writer.rows,
                   len(writer.quarantined), extra_columns=sorted(writer.extra_columns))


def _safe_date(folder: Path) -> date:
    try:
        return _folder_date(folder)
    except DeliveryInvalid:
        return date(1900, 1, 1)


def _check_header(path: Path, header: list[str], delivery: Delivery) -> None:
    missing = [c for c in delivery.feed.column_names if c not in header]
    if missing:
        raise DeliveryInvalid(f"{path.name}: schema drift, missing column(s) {', '.join(missing)}")
    duplicated = {h for h in header if header.count(h) > 1}
    if duplicated:
        raise DeliveryInvalid(f"{path.name}: column(s) named twice: {', '.join(sorted(duplicated))}")


def _check_count(path: Path, count: int, manifest_rows: int) -> None:
    if count != manifest_rows:
        raise DeliveryInvalid(f"{path.name}: {count} records, manifest says {manifest_rows}")


def _load_file(writer: RawWriter, path: Path, delivery: Delivery, manifest_rows: int,
               loader: str | None = None) -> None:
    if _format(path, delivery) == "csv" and fastcopy.use_fast_path(loader):
        try:
            header, header_lines = csv_header(path, delivery.encoding or "utf-8", delivery.delimiter)
        except FileUnreadable as exc:
            raise DeliveryInvalid(str(exc)) from None
        _check_header(path, header, delivery)
        # A header over several lines: leave the line numbering to the Python reader.
        count = (fastcopy.load_csv(writer, path, header, delivery, fastcopy.use_direct_path(path, loader))
                 if header_lines == 1 else None)
        if count is not None:
            _check_count(path, count, manifest_rows)
            return
    try:
        header, records = _open_file(path, delivery)
    except FileUnreadable as exc:
        raise DeliveryInvalid(str(exc)) from None
    _check_header(path, header, delivery)
    count = 0
    for record in records:
        count += 1
        if record.fields is None:
            writer.reject(path.name, record.line, record.raw_text, record.problem or "malformed")
        else:
            writer.add(record.fields, file=path.name, line=record.line, raw_text=record.raw_text)
    _check_count(path, count, manifest_rows)


def _reject(conn: psycopg.Connection, key: DeliveryKey, reason: str, files: list | None = None) -> Outcome:
    with conn.transaction():
        ledger.record(conn, key, "rejected", reason, files)
    log.warning("rejected %s/%s %s seq %s: %s", key.unit, key.feed, key.business_date, key.sequence, reason)
    return Outcome(key.unit, key.feed, key.business_date, key.sequence, "rejected", reason=reason)


def load_file_deliveries(conn: psycopg.Connection, landing: Path, delivery: Delivery,
                         loader: str | None = None) -> list[Outcome]:
    """Every complete delivery of this unit and feed not loaded yet, in business-date order."""
    return [load_folder(conn, folder, delivery, loader) for folder in delivery_folders(landing, delivery)]
