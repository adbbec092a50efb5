"""The direct path's block check and binary tuples (ingest/fastcopy_direct.py), value by value;
its loads are compared with the Python reader's in tests/integration/test_fastcopy_cases.py."""

from __future__ import annotations

import struct
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from ingest.catalogue import load_catalogue
from ingest.fastcopy import PY_CODECS
from ingest.fastcopy_direct import META, NotDirect, check_block, meta_fields, plan

CAT = load_catalogue()


def _codec(d) -> str:  # type: ignore[no-untyped-def]
    return PY_CODECS[d.encoding or "utf-8"]


def _plan(unit: str, feed: str):  # type: ignore[no-untyped-def]
    d = CAT.delivery(unit, feed)
    p = plan(d, list(d.feed.column_names), _codec(d))
    assert p is not None
    return p


def _numeric(raw: bytes) -> Decimal:
    ndigits, weight, sign, dscale = struct.unpack(">hhHh", raw[:8])
    digits = struct.unpack(f">{ndigits}h", raw[8:])
    value = sum(Decimal(d) * Decimal(10000) ** (weight - i) for i, d in enumerate(digits))
    return (-value if sign == 0x4000 else value).quantize(Decimal(1).scaleb(-dscale))


def decode(p, buffer: memoryview, codec: str = "utf-8") -> list[tuple]:  # type: ignore[no-untyped-def]
    """COPY's binary tuples back to values, by the plan's column types (they must come in line order)."""
    data = bytes(buffer)
    kinds = [*p.kinds, "bigint", "date", "int", "text", "int"]  # then the META columns
    out, at = [], 0
    while at < len(data):
        (count,) = struct.unpack_from(">h", data, at)
        assert count == len(kinds)
        at += 2
        row: list[object] = []
        for kind in kinds:
            (width,) = struct.unpack_from(">i", data, at)
            at += 4
            raw = data[at:at + max(width, 0)]
            at += max(width, 0)
            if width < 0:
                row.append(None)
            elif kind in ("date", "month"):
                row.append(date(2000, 1, 1) + timedelta(days=struct.unpack(">i", raw)[0]))
            elif kind in ("int", "bigint"):
                row.append(int.from_bytes(raw, "big", signed=True))
            elif kind == "numeric":
                row.append(_numeric(raw))
            else:
                row.append(raw.decode(codec))
        out.append(tuple(row))
    assert [r[-1] for r in out] == sorted(r[-1] for r in out), "tuples in line order"
    return out


def test_lines_become_tuples_with_their_meta_columns_and_number():
    p = _plan("RS-YLJ", "rs_pension")  # id_number, pay_month (%Y%m), scheme, amount
    block = (b'210102194905235531,201601,employee,2290.00\r\n"=""2101""",202612,"resi ""d""",-0.5\r\n'
             b'X1,190001,,1\r\n210102194905235531,209912,employee,+12.3')
    meta = meta_fields(7, date(2026, 10, 31), 1, "a,b.csv")
    checked = check_block(p, block, 98, meta)
    assert checked.lines == 4
    assert decode(p, checked.data) == [
        ("210102194905235531", date(2016, 1, 1), "employee", Decimal("2290.00"), 7, date(2026, 10, 31), 1, "a,b.csv", 98),
        ('="2101"', date(2026, 12, 1), 'resi "d"', Decimal("-0.50"), 7, date(2026, 10, 31), 1, "a,b.csv", 99),
        ("X1", date(1900, 1, 1), None, Decimal("1.00"), 7, date(2026, 10, 31), 1, "a,b.csv", 100),
        ("210102194905235531", date(2099, 12, 1), "employee", Decimal("12.30"), 7, date(2026, 10, 31), 1, "a,b.csv",
         101)]
    assert len(META) == 5


def test_dates_integers_and_empty_values():
    p = _plan("WJ-CL", "cl_disability_cert")
    header = p.header
    rows = [{"cert_no": "C1", "id_number": "2101", "name": "张三", "disability_type": "t", "grade": "-0",
             "issued_date": "2024-02-29", "valid_until": "", "status": "s"},
            {"cert_no": "C2", "id_number": "2102", "name": "李四", "disability_type": "", "grade": "007",
             "issued_date": "1900-01-01", "valid_until": "2100-12-31", "status": "s"}]
    block = "".join(",".join(r[h] for h in header) + "\n" for r in rows).encode()
    got = decode(p, check_block(p, block, 2, meta_fields(1, date(2026, 1, 1), 2, "f.csv")).data)
    as_read = [dict(zip(header, g[:len(header)], strict=True)) for g in got]
    assert [(r["grade"], r["issued_date"], r["valid_until"], r["disability_type"], r["name"]) for r in as_read] == [
        (0, date(2024, 2, 29), None, "t", "张三"), (7, date(1900, 1, 1), date(2100, 12, 31), None, "李四")]


@pytest.mark.parametrize(("text", "value"), [
    ("12", "12"), ("-0", "0"), ("+7", "7"), ("007", "7"), ("0012.50", "12.5"), ("1.5", "1.5"), ("-12.34", "-12.34"),
    ("9999999999999999.99", "9999999999999999.99"), ("-9999999999999999.99", "-9999999999999999.99")])
def test_plain_amounts_read_as_decimal_reads_them(text, value):
    p = _plan("RS-YLJ", "rs_pension")
    got = decode(p, check_block(p, f"2101,201601,employee,{text}\n".encode(), 2, meta_fields(
        1, date(2026, 1, 1), 1, "f")).data)
    assert got[0][3] == Decimal(value)


@pytest.mark.parametrize("line", [
    b"2101,201601,employee",  # a field short
    b"2101,201601,employee,1,2",  # a field over
    b'2101,201601,"employee,x",1',  # a delimiter inside quotes
    b'2101,201601,em"ployee,1',  # a quote inside an unquoted field
    b'2101,201601,"employee"x,1',  # text after a closing quote
])
def test_lines_the_direct_path_does_not_take(line):
    p = _plan("RS-YLJ", "rs_pension")
    with pytest.raises(NotDirect):
        check_block(p, b"2101,201601,employee,1\n" + line + b"\n", 2, b"")


@pytest.mark.parametrize("line", [
    b"2101,2016-01,employee,1",  # not the feed's layout
    b"2101,201600,employee,1",
    b"2101,189912,employee,1",
    b'2101,"201601",employee,1',
    b",201601,employee,1",  # an empty key
    b"2101,,employee,1",
    b'"",201601,employee,1',
    b" \t,201601,employee,1",  # a blank key
    b"2101,201601, ,1",  # text of whitespace only
    b'2101,201601,"",1',  # quoted empty text
    b"2101,201601,\xa1\xa1,1",  # U+3000 (the feed is gbk)
    b"2101,201601,employee,NaN",  # numbers the stage path leaves to values.py
    b"2101,201601,employee,1.999",
    b"2101,201601,employee,.5",
    b"2101,201601,employee,5.",
    b"2101,201601,employee,1e3",
    b"2101,201601,employee, 12",
    b"2101,201601,employee,1-2",
    b"2101,201601,employee,--1",
    b"2101,201601,employee,1.2.3",
    b"2101,201601,employee,12345678901234567",
    b'2101,201601,employee,"12"',
    b"2101,201601,employee," + b"9" * 200,
])
def test_lines_left_to_values_py(line):
    """A value only values.py may judge: the line is not sent but handed back (deferred)."""
    p = _plan("RS-YLJ", "rs_pension")
    block = b"2101,201601,employee,1\n" + line + b"\n2102,201602,employee,2\n"
    checked = check_block(p, block, 2, meta_fields(1, date(2026, 1, 1), 1, "f"))
    assert checked.deferred == [(3, line.decode("gb18030"))]
    assert [(g[0], g[-1]) for g in decode(p, checked.data)] == [("2101", 2), ("2102", 4)]


def test_a_block_of_deferred_lines_only():
    p = _plan("RS-YLJ", "rs_pension")
    checked = check_block(p, b",201601,employee,1\r\n2101,2016,employee,1\r\n", 5, b"")
    assert (bytes(checked.data), checked.lines, [n for n, _ in checked.deferred]) == (b"", 2, [5, 6])


def test_gb18030_blocks_are_sent_as_utf8_and_a_pipe_trail_byte_is_no_delimiter():
    d = CAT.delivery("JR-BOCOM", "jr_deposit")  # gbk, "|"
    p = plan(d, list(d.feed.column_names), _codec(d))
    pipe_char = next(c for c in map(chr, range(0x4E00, 0x9FA6)) if c.encode("gb18030").endswith(b"|"))
    line = "|".join(["２１０１", f"62{pipe_char}1", "活期", "12.50", "2026-10-31"])
    checked = check_block(p, (line + "\r\n").encode("gb18030"), 2, meta_fields(1, date(2026, 1, 1), 1, "f"))
    assert decode(p, checked.data)[0][:5] == ("２１０１", f"62{pipe_char}1", "活期", Decimal("12.50"), date(2026, 10, 31))
    with pytest.raises(NotDirect):
        check_block(p, b"\x81\x20|x|y|1|2026-10-31\n", 2, b"")  # not GB18030


@pytest.mark.parametrize(("value", "taken"), [("2024-02-29", True), ("2023-02-29", False), ("2020-04-31", False),
                                              ("2020-12-31", True), ("2020-00-10", False), ("2020-01-00", False)])
def test_only_days_of_the_calendar_go_direct(value, taken):
    p = _plan("WJ-CL", "cl_disability_cert")
    values = {"issued_date": value, "valid_until": "", "grade": "1"}
    block = (",".join(values.get(h, "x") for h in p.header) + "\n").encode()
    assert bool(check_block(p, block, 2, b"").deferred) is not taken


def test_many_layouts_in_one_block_keep_every_line():
    """Lines of varying widths are written layout by layout; every line must come out once."""
    p = _plan("RS-YLJ", "rs_pension")
    rng = np.random.default_rng(7)
    lines = [(f"{'1' * int(rng.integers(1, 30))}", f"20{int(rng.integers(10, 99))}0{int(rng.integers(1, 9))}",
              "e" * int(rng.integers(0, 4)), f"{int(rng.integers(0, 10**6))}.{int(rng.integers(0, 99)):02d}")
             for _ in range(500)]
    block = "".join(",".join(line) + "\n" for line in lines).encode()
    got = decode(p, check_block(p, block, 2, meta_fields(1, date(2026, 1, 1), 1, "f")).data)
    assert [g[-1] for g in got] == list(range(2, 502))
    assert [(g[0], g[2], g[3]) for g in got] == [(i, s or None, Decimal(a)) for i, _, s, a in lines]


@pytest.mark.parametrize("blocks", [
    [b"2101,201601,employee,1\r\n2101,201602,employee,1\n"],  # within a block
    [b"2101,201601,employee,1\r\n", b"2101,201602,employee,1\n"],  # across blocks
    [b"2101,201601,employee,1\n", b"2101,201602,employee,1\r\n"],
    [b"2101,201601,employee,1\r2101,201602,employee,1\n"],  # a lone carriage return
])
def test_line_endings_must_not_change(blocks):
    p = _plan("RS-YLJ", "rs_pension")
    with pytest.raises(NotDirect):
        for block in blocks:
            check_block(p, block, 2, b"")


def test_files_the_direct_path_does_not_plan():
    d = CAT.delivery("SC-SWJ", "sw_income")  # thousands-separated amounts
    assert plan(d, list(d.feed.column_names), _codec(d)) is None
    d = CAT.delivery("GA-HP", "ga_death")
    assert plan(d, [*d.feed.column_names, "备注"], _codec(d)) is None  # an extra column


def test_a_deferred_line_not_in_the_encoding_sends_the_file_to_the_stage_path():
    p = _plan("GA-HP", "ga_death")  # utf-8
    with pytest.raises(NotDirect):
        check_block(p, b",\xff\xfe,20200105,,x\n", 2, b"")  # an empty key: deferred, then undecodable
