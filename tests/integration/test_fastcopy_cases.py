"""The COPY fast path (ingest/fastcopy.py) against the Python reader, file by file: every value
values.py has an opinion on, and every way a CSV file can be odd. Each file is loaded both ways
into two warehouses and everything written is compared; the test also says which path it took."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from datetime import date
from pathlib import Path

import pytest
from fastcopy_support import assert_same, snapshot, warehouse_pair

from ingest.catalogue import load_catalogue
from ingest.fastcopy import PY_CODECS
from ingest.fastcopy_direct import plan
from ingest.files import load_file_deliveries
from ingest.readers import read_csv

CAT = load_catalogue()
DAY = date(2026, 11, 28)
# values.py's own corpus (tests/unit/test_column_parser.py) plus CSV-only spellings.
SAMPLES = [
    "", " ", "2020-01-05", "2020-1-5", "2020-13-01", "2020-02-30", "20200105", "2020010", "202001", "202013",
    "2020-01", "2020-1", "２０２０-01-05", "2020-01-05 ", " 20200105", "+2020-01-05", "2020-01-01", "20201001",
    "202010", "0000-01-01", "2020-00-10", "20200100", "12,345.67", "1,234", "905.00", "abc", "NaN", "inf",
    "-Infinity", "1e3", "-0", " 12.5 ", "1_000", "١٢", "99999999999999999", "3000000000", "-2147483648",
    "2020-10-01T00:00:00+08:00", "true", "0", "12", "12.5", "1.999", "1,234,567,890,123.45", "12,34.5",
    "\u3000205", "18990101", "21010101", "20240229", "20230229", "2024-02-29", "\t7\t", "0012.50", ".5", "5.",
    "1.0", "+7", "007", "-12,345.00", "2020 01", "202011 5", "2020115", "\u00a0", "x\u00a0",
]
# (unit, feed): one per date layout, amount style, int column, encoding and delimiter.
FEEDS = [("GA-HP", "ga_death"), ("RS-SBZX", "rs_contribution"), ("ZJ-GJJ", "zj_provident_fund"),
         ("SC-SWJ", "sw_income"), ("JR-BOCOM", "jr_deposit"), ("WJ-CL", "cl_disability_cert"),
         ("GA-CGS", "ga_vehicle"), ("GA-DD", "ga_death"), ("JR-SYRCB", "jr_deposit")]


@pytest.fixture(scope="module")
def pair(cluster):
    with warehouse_pair(cluster) as wh:
        yield wh


@pytest.fixture
def wh(pair):
    return empty(pair)


def empty(pair):  # type: ignore[no-untyped-def]
    """Both warehouses without a delivery, so the same file can be loaded again."""
    for conn in pair.values():
        tables = [f"raw.{t}" for (t,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()]
        conn.execute(f"truncate meta.quarantine, meta.deliveries, {', '.join(tables)} cascade")
    return pair


def deliver(landing: Path, unit: str, feed: str, data: bytes, *, rows: int | None = None) -> None:
    d = CAT.delivery(unit, feed)
    folder = landing / unit / feed / f"{DAY:%Y%m%d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{feed}.csv"
    path.write_bytes(data)
    if rows is None:  # what the Python reader counts, so the manifest agrees with it
        rows = sum(1 for _ in read_csv(path, d.encoding or "utf-8", d.delimiter)[1])
    manifest = {"unit": unit, "feed": feed, "business_date": DAY.isoformat(), "sequence": 1,
                "files": [{"name": path.name, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def load_both(wh, landing: Path, unit: str, feed: str, caplog, loader: str | None = "direct") -> str:
    """Load both ways, compare everything; return the path the fast loader took: "direct"
    (one COPY into the raw table), "copy" (the stage path) or "python". The direct path is
    tried first at any size unless ``loader`` says otherwise."""
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="ingest.fastcopy")
    d = CAT.delivery(unit, feed)
    [fast] = load_file_deliveries(wh["copy"], landing, d, loader=loader)
    [python] = load_file_deliveries(wh["python"], landing, d, loader="python")
    assert (fast.status, fast.rows_loaded, fast.rows_quarantined, fast.reason, fast.extra_columns) == (
        python.status, python.rows_loaded, python.rows_quarantined, python.reason, python.extra_columns)
    assert_same(snapshot(wh["copy"]), snapshot(wh["python"]))
    messages = " ".join(r.getMessage() for r in caplog.records)
    if "COPY direct path" in messages:
        return "direct"
    return "copy" if "COPY fast path" in messages else "python" if "Python path" in messages else "none"


def encode(d, lines: list[list[str]], ending: str = "\n") -> bytes:  # type: ignore[no-untyped-def]
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=d.delimiter, lineterminator=ending).writerows(lines)
    codec = {"gbk": "gb18030", "utf-8-sig": "utf-8-sig"}.get(d.encoding or "utf-8", "utf-8")
    return buf.getvalue().encode(codec)


@pytest.mark.parametrize(("unit", "feed"), FEEDS)
def test_every_sample_value_in_every_column_types_or_quarantines_alike(wh, tmp_path, caplog, unit, feed):
    d = CAT.delivery(unit, feed)
    columns = d.feed.column_names
    good = {c.name: {"date": "2020-01-05", "month": "2020-01-01", "numeric": "1.50", "int": "2"}.get(c.type, "x1")
            for c in d.feed.columns}
    if d.feed.date_format:
        for c in d.feed.columns:
            if c.type in ("date", "month"):
                good[c.name] = date(2020, 1, 1).strftime(d.feed.date_format)
    lines = [columns]
    for n, sample in enumerate(SAMPLES):
        for col in columns:
            row = {**good, **{k: f"{v}{n}" for k, v in good.items() if d.feed.column(k).type == "text"}}
            row[col] = sample
            lines.append([row[c] for c in columns])
    deliver(tmp_path, unit, feed, encode(d, lines))
    # The direct path takes every value (handing values.py those it does not type) unless a
    # sample is quoted for holding the delimiter. The stage path: columns COPY types itself
    # (plain amounts, integers) send a file with a bad one the Python way.
    typed_by_copy = any(c.type == "int" or (c.type == "numeric" and not d.feed.amount_format) for c in d.feed.columns)
    direct = plan(d, columns, PY_CODECS[d.encoding or "utf-8"]) is not None and d.delimiter not in "".join(SAMPLES)
    assert load_both(wh, tmp_path, unit, feed, caplog) == (
        "direct" if direct else "python" if typed_by_copy else "copy")
    assert load_both(empty(wh), tmp_path, unit, feed, caplog, loader="stage") == (
        "python" if typed_by_copy else "copy")


@pytest.mark.parametrize(("unit", "feed", "column", "samples", "deferred"), [
    ("JR-BOCOM", "jr_deposit", "balance", ["12", "12.5", "1.999", "1e3", "-0", "0012.50", ".5", "5.", " 12.5 ",
                                           "+7", "007", "905.00", "\t7\t", "", "0.005", "-0.005", "1E-400"], 9),
    ("JR-ICBC", "jr_deposit", "balance", ["12", "12.5", "-0", "0012.50", "+7", "-905.00", "", "9999999999999999.99"],
     0),
    ("WJ-CL", "cl_disability_cert", "grade", ["12", "+7", "007", "-0", "\t7\t", " 12 ", ""], 2),
])
def test_amounts_and_integers_typed_by_copy(wh, tmp_path, caplog, unit, feed, column, samples, deferred):
    """Plain spellings are typed on the direct path, the others by values.py; on the stage path
    by COPY (``numeric_in`` / ``int4in``), as Decimal would."""
    d = CAT.delivery(unit, feed)
    columns = d.feed.column_names
    good = {c.name: {"date": "2020-01-05", "numeric": "1.50", "int": "2"}.get(c.type, "x") for c in d.feed.columns}
    lines = [columns] + [[s if c == column else f"{good[c]}{n}" if good[c] == "x" else good[c] for c in columns]
                         for n, s in enumerate(samples)]
    deliver(tmp_path, unit, feed, encode(d, lines))
    assert load_both(wh, tmp_path, unit, feed, caplog) == "direct"
    assert deferred_lines(caplog) == deferred
    assert load_both(empty(wh), tmp_path, unit, feed, caplog, loader="stage") == "copy"


ODD_FILES = {  # name -> (lines of ga_death text after the header, path the fast loader takes)
    "quote in an unquoted field": (['2101051949123100{n},张"三,20200105,20200106,所'], "python"),
    "text after a closing quote": (['2101051949123100{n},"张三"x,20200105,20200106,所'], "python"),
    "space before an opening quote": (['2101051949123100{n}, "张三",20200105,20200106,所'], "python"),
    "well-formed quotes": (['"2101051949123100{n}","张""三",20200105,"20200106","所,一"'], "copy"),
    "spreadsheet id": (['"=""2101051949123100{n}""",张三,20200105,20200106,所'], "direct"),
    "quoted line break": (['2101051949123100{n},"张\n三",20200105,20200106,所'], "python"),
    "blank line": (["2101051949123100{n},张三,20200105,20200106,所", ""], "python"),
    "too many fields": (["2101051949123100{n},张三,20200105,20200106,所,多"], "python"),
    "too few fields": (["2101051949123100{n},张三,20200105,20200106"], "python"),
    "end-of-data marker": (["\\."], "python"),
    "carriage return inside a field": (["2101051949123100{n},张\r三,20200105,20200106,所"], "python"),
    "empty key": ([",张三,20200105,20200106,所"], "direct"),
    "blank key": (['"  ",张三,20200105,20200106,所'], "direct"),
    "padded values": ([" 2101051949123100{n} ,张三 , 20200105,20200106 ,\u3000"], "direct"),
    "quoted empty values": (['2101051949123100{n},"",20200105,"",""'], "direct"),
}


@pytest.mark.parametrize("loader", ["direct", "stage"])
@pytest.mark.parametrize("case", sorted(ODD_FILES))
def test_odd_csv_files_load_alike(wh, tmp_path, caplog, case, loader):
    body, expected_path = ODD_FILES[case]
    if loader == "stage" and expected_path == "direct":
        expected_path = "copy"
    lines = ["公民身份号码,姓名,死亡日期,注销日期,派出所"]
    for n in range(3):
        lines.append(f"2101051949123000{n},李四,20200105,20200106,北陵派出所")
        lines.extend(line.format(n=n) for line in body)
    deliver(tmp_path, "GA-HP", "ga_death", ("\n".join(lines) + "\n").encode())
    assert load_both(wh, tmp_path, "GA-HP", "ga_death", caplog, loader) == expected_path


@pytest.mark.parametrize(("unit", "ending", "bom"), [("GA-HP", "\r\n", False), ("GA-HP", "\n", True),
                                                      ("GA-HG", "\r\n", True), ("GA-DD", "\r\n", False)])
def test_line_endings_and_byte_order_marks(wh, tmp_path, caplog, unit, ending, bom):
    d = CAT.delivery(unit, "ga_death")
    lines = [d.feed.column_names] + [[f"21010519491230{n:04d}", "王五", "20200105", "", "所"] for n in range(5)]
    data = encode(d, lines, ending)
    deliver(tmp_path, unit, "ga_death", (b"\xef\xbb\xbf" if bom and not data.startswith(b"\xef") else b"") + data)
    assert load_both(wh, tmp_path, unit, "ga_death", caplog) == "direct"
    assert load_both(empty(wh), tmp_path, unit, "ga_death", caplog, loader="stage") == "copy"


def test_mixed_line_endings_go_the_python_way(wh, tmp_path, caplog):
    text = "公民身份号码,姓名,死亡日期,注销日期,派出所\r\n210105194912300001,王五,20200105,,所\n210105194912300002,王五,20200105,,所\r\n"
    deliver(tmp_path, "GA-HP", "ga_death", text.encode())
    assert load_both(wh, tmp_path, "GA-HP", "ga_death", caplog) == "python"


def test_gbk_pipe_file_with_a_character_ending_in_the_pipe_byte(wh, tmp_path, caplog):
    """GB18030 trail bytes reach "|": such a character must not split a field (nor fool the
    quote check, which reads these files as text)."""
    pipe_char = next(c for c in map(chr, range(0x4E00, 0x9FA6)) if c.encode("gb18030").endswith(b"|"))
    d = CAT.delivery("JR-BOCOM", "jr_deposit")
    lines = [d.feed.column_names,
             ["210105194912310023", f"62**{pipe_char}1", "current", "1234.00", "2026-10-31"],
             ["210105194912310023", f'"{pipe_char}"2', "current", "12.00", "2026-10-31"],
             ["210105194912310023", f"62**{pipe_char}3", f"{pipe_char}", "12.00", "2026-10-31"]]
    deliver(tmp_path, "JR-BOCOM", "jr_deposit", encode(d, lines, "\r\n"))
    assert load_both(wh, tmp_path, "JR-BOCOM", "jr_deposit", caplog) == "direct"
    assert load_both(empty(wh), tmp_path, "JR-BOCOM", "jr_deposit", caplog, loader="stage") == "copy"


@pytest.mark.parametrize(("unit", "bad"), [("GA-HP", b"\xff\xfe"), ("GA-DD", b"\x81\x20"), ("GA-HP", b"\xed\xa0\x80")])
def test_bytes_not_in_the_encoding_are_quarantined_alike(wh, tmp_path, caplog, unit, bad):
    d = CAT.delivery(unit, "ga_death")
    head = encode(d, [d.feed.column_names, ["210105194912300001", "王五", "20200105", "", "所"]])
    deliver(tmp_path, unit, "ga_death", head + b"210105194912300002," + bad + b",20200105,,x\n")
    assert load_both(wh, tmp_path, unit, "ga_death", caplog) == "python"


def test_a_line_longer_than_the_csv_field_limit(wh, tmp_path, caplog, monkeypatch):
    limit = csv.field_size_limit()
    csv.field_size_limit(64)
    try:
        text = ("公民身份号码,姓名,死亡日期,注销日期,派出所\n210105194912300001,王五,20200105,,所\n"
                f"210105194912300002,{'长' * 80},20200105,,所\n")
        deliver(tmp_path, "GA-HP", "ga_death", text.encode())
        assert load_both(wh, tmp_path, "GA-HP", "ga_death", caplog) == "python"
    finally:
        csv.field_size_limit(limit)


def test_extra_columns_with_empty_values_and_header_only_files(wh, tmp_path, caplog):
    text = "公民身份号码,姓名,备注,死亡日期,注销日期,派出所,来源\n210105194912300001,王五,,20200105,,所,\"x,y\"\n"
    deliver(tmp_path, "GA-HP", "ga_death", text.encode())
    assert load_both(wh, tmp_path, "GA-HP", "ga_death", caplog) == "copy"
    deliver(tmp_path, "GA-SH", "ga_death", "公民身份号码,姓名,备注,死亡日期,注销日期,派出所\n".encode())
    assert load_both(wh, tmp_path, "GA-SH", "ga_death", caplog) == "copy"


def test_manifest_row_count_mismatch_rejects_alike(wh, tmp_path, caplog):
    text = "公民身份号码,姓名,死亡日期,注销日期,派出所\n210105194912300001,王五,20200105,,所\n"
    deliver(tmp_path, "GA-HP", "ga_death", text.encode(), rows=2)
    assert load_both(wh, tmp_path, "GA-HP", "ga_death", caplog) == "direct"
    assert load_both(empty(wh), tmp_path, "GA-HP", "ga_death", caplog, loader="stage") == "copy"


def test_the_environment_can_force_the_python_reader(wh, tmp_path, caplog, monkeypatch):
    text = "公民身份号码,姓名,死亡日期,注销日期,派出所\n210105194912300001,王五,20200105,,所\n"
    deliver(tmp_path, "GA-HP", "ga_death", text.encode())
    monkeypatch.setenv("INGEST_CSV_LOADER", "python")
    assert load_both(wh, tmp_path, "GA-HP", "ga_death", caplog, loader=None) == "none"
    monkeypatch.setenv("INGEST_CSV_LOADER", "direct")  # or the direct path at any size
    assert load_both(empty(wh), tmp_path, "GA-HP", "ga_death", caplog, loader=None) == "direct"


def test_postgresql_reads_gb18030_as_python_does(pair):
    """The fast path lets PostgreSQL decode gbk files: every 1- and 2-byte sequence (and every
    BMP character's 4-byte form) must decode to what Python's gb18030 gives, or fail in both."""
    conn = pair["copy"]
    conn.execute("""create or replace function pg_temp.gb(xs bytea[]) returns text[] language plpgsql as $$
        declare i int; out text[] := '{}';
        begin
          for i in 1..array_length(xs, 1) loop
            begin out := out || convert_from(xs[i], 'GB18030');
            exception when others then out := out || null::text; end;
          end loop;
          return out;
        end $$""")

    def python(b: bytes) -> str | None:
        try:
            return b.decode("gb18030")
        except UnicodeDecodeError:
            return None

    seqs = [bytes([a]) for a in range(1, 256)] + [bytes([a, b]) for a in range(0x81, 0xFF) for b in range(0x40, 0xFF)]
    seqs += [chr(c).encode("gb18030") for c in range(0x80, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(seqs), 20000):
        chunk = seqs[start:start + 20000]
        (decoded,) = conn.execute("select pg_temp.gb(%s::bytea[])", (chunk,)).fetchone()
        differ = [(s.hex(), d, python(s)) for s, d in zip(chunk, decoded, strict=True) if d != python(s)]
        assert not differ, differ[:10]


# ---- the direct path (ingest/fastcopy_direct.py) ---------------------------------------------

def test_by_default_a_file_goes_direct_from_a_block_up(wh, tmp_path, caplog, monkeypatch):
    """Loading the compiled loops costs a new process ~2 s: until a process has them, a file
    smaller than a block takes the stage path."""
    from ingest import fastcopy, fastcopy_direct

    lines = ["公民身份号码,姓名,死亡日期,注销日期,派出所"] + [f"2101051949123000{n},李四,20200105,20200106,所" for n in range(5)]
    data = ("\n".join(lines) + "\n").encode()
    deliver(tmp_path, "GA-HP", "ga_death", data)
    monkeypatch.setattr(fastcopy_direct, "kernels_loaded", lambda: False)
    assert load_both(empty(wh), tmp_path, "GA-HP", "ga_death", caplog, loader=None) == "copy"
    monkeypatch.setattr(fastcopy, "DIRECT_MIN_BYTES", len(data))
    assert load_both(empty(wh), tmp_path, "GA-HP", "ga_death", caplog, loader=None) == "direct"
    monkeypatch.setattr(fastcopy, "DIRECT_MIN_BYTES", len(data) + 1)
    monkeypatch.setattr(fastcopy_direct, "kernels_loaded", lambda: True)
    assert load_both(empty(wh), tmp_path, "GA-HP", "ga_death", caplog, loader=None) == "direct"


DIRECT_FEEDS = [*FEEDS, ("RS-YLJ", "rs_pension"), ("SF-ZY", "sf_dishonest_debtor")]
NOT_DIRECT = {"SC-SWJ": "thousands separators"}


def clean_lines(d, n: int = 4) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """A header and n lines of values every loader types the same, in the feed's layouts."""
    values = {"numeric": "1.50", "int": "2"}
    rows = []
    for i in range(n):
        row = []
        for c in d.feed.columns:
            if c.type in ("date", "month"):
                row.append(date(2020, 1 + i, 1).strftime(d.feed.date_format or "%Y-%m-%d"))
            else:
                row.append(values.get(c.type, f"张{i}x"))
        rows.append(row)
    return [d.feed.column_names, *rows]


@pytest.mark.parametrize(("unit", "feed"), DIRECT_FEEDS)
def test_clean_files_go_direct_in_every_layout(wh, tmp_path, caplog, unit, feed):
    d = CAT.delivery(unit, feed)
    deliver(tmp_path, unit, feed, encode(d, clean_lines(d), "\r\n"))
    assert load_both(wh, tmp_path, unit, feed, caplog) == ("copy" if unit in NOT_DIRECT else "direct")


# One value the direct path must not type itself, in an otherwise clean file: its line is
# handed to values.py, which types or quarantines it as the Python reader does; on the stage
# path the line is deferred too (or the file goes the Python way).
LEFT_TO_VALUES_PY = [
    ("GA-CGS", "ga_vehicle", "registered_date", "2020-1-5"),  # not the canonical spelling
    ("GA-CGS", "ga_vehicle", "registered_date", "1899-12-31"),  # outside the mapped years
    ("GA-CGS", "ga_vehicle", "status_date", "2020-02-30"),  # an impossible day
    ("GA-CGS", "ga_vehicle", "status_date", "2020-01-05 "),
    ("RS-SBZX", "rs_contribution", "contribution_month", "202013"),
    ("RS-YLJ", "rs_pension", "pay_month", "2020-01"),
    ("ZJ-GJJ", "zj_provident_fund", "deposit_month", "202001"),
    ("GA-HP", "ga_death", "死亡日期", "2020-01-05"),  # ISO in a %Y%m%d feed
    ("RS-SBZX", "rs_contribution", "id_number", ""),  # an empty key
    ("RS-SBZX", "rs_contribution", "employer_name", "   "),  # text of whitespace only
    ("GA-HP", "ga_death", "姓名", "\u3000"),
    ("GA-DD", "ga_death", "姓名", "\u3000"),  # gbk: A1 A1
    ("GA-DD", "ga_death", "姓名", "\u00a0"),  # gbk: a four-byte sequence
    ("GA-DD", "ga_death", "公民身份号码", " \u2003"),
    ("JR-ICBC", "jr_deposit", "balance", "NaN"),
    ("WJ-CL", "cl_disability_cert", "grade", "x"),
    ("WJ-CL", "cl_disability_cert", "grade", "3000000000"),
]


def deferred_lines(caplog) -> int:  # type: ignore[no-untyped-def]
    """How many lines the direct path handed to values.py (its debug log)."""
    found = [r.getMessage() for r in caplog.records if "lines typed by values.py" in r.getMessage()]
    return int(found[0].split(": ")[1].split()[0]) if found else 0


@pytest.mark.parametrize(("unit", "feed", "column", "value"), LEFT_TO_VALUES_PY)
def test_what_the_direct_path_leaves_to_values_py(wh, tmp_path, caplog, unit, feed, column, value):
    d = CAT.delivery(unit, feed)
    lines = clean_lines(d)
    lines[2][d.feed.column_names.index(column)] = value
    deliver(tmp_path, unit, feed, encode(d, lines))
    assert load_both(wh, tmp_path, unit, feed, caplog) == "direct"
    assert deferred_lines(caplog) == 1
    assert load_both(empty(wh), tmp_path, unit, feed, caplog, loader="stage") in ("copy", "python")


def test_a_delimiter_inside_quotes_sends_the_file_to_the_stage_path(wh, tmp_path, caplog):
    d = CAT.delivery("JR-ICBC", "jr_deposit")
    lines = clean_lines(d)
    lines[2][d.feed.column_names.index("product")] = "a,b"
    deliver(tmp_path, "JR-ICBC", "jr_deposit", encode(d, lines))
    assert load_both(wh, tmp_path, "JR-ICBC", "jr_deposit", caplog) == "copy"


@pytest.mark.parametrize(("last", "expected_path"), [
    (["210105194912319999", "王五", "20200105", "", "所"], "direct"),  # clean to the end
    (["210105194912319999", "王五", "2020-01-05", "", "所"], "direct"),  # a value for values.py
    (["210105194912319999", "王五", "20200105", ""], "python"),  # a field short: no COPY takes it
])
def test_a_file_of_many_blocks_whose_last_block_differs(wh, tmp_path, caplog, monkeypatch, last, expected_path):
    """Blocks already sent when a later one turns out not to be plain: the COPY is abandoned
    and the savepoint rolled back, and the next path loads the file whole."""
    monkeypatch.setattr("ingest.fastcopy.BLOCK", 256)
    d = CAT.delivery("GA-HP", "ga_death")
    lines = [d.feed.column_names] + [[f"21010519491230{n:04d}", "王五", "20200105", "", "所"] for n in range(200)]
    deliver(tmp_path, "GA-HP", "ga_death", encode(d, [*lines, last]))
    assert load_both(wh, tmp_path, "GA-HP", "ga_death", caplog) == expected_path
    left = [r.getMessage() for r in caplog.records if "stage path (" in r.getMessage()]
    assert left == ([] if expected_path == "direct" else ["ga_death.csv: stage path (a line without the header's "
                                                          "number of fields)"])
