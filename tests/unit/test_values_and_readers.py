"""Parsing delivered values and reading files: encodings, delimiters, quoting, xlsx quirks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ingest.catalogue import load_catalogue
from ingest.readers import read_csv, read_xlsx
from ingest.values import BadValue, parse_value

CAT = load_catalogue()


def col(feed: str, name: str):
    f = CAT.feeds[feed]
    return f.column(name), f


@pytest.mark.parametrize(
    ("feed", "column", "text", "expected"),
    [
        ("ga_death", "死亡日期", "20261129", date(2026, 11, 29)),
        ("rs_contribution", "contribution_month", "202611", date(2026, 11, 1)),
        ("zj_provident_fund", "deposit_month", "2026-11", date(2026, 11, 1)),
        ("mz_payment", "pay_month", "2026-11-01", date(2026, 11, 1)),
        ("sw_income", "收入额", "12,345.67", Decimal("12345.67")),
        ("mz_payment", "amount", "905.00", Decimal("905.00")),
        ("mz_dibao_household", "deleted", "false", False),
        ("mz_eldercare_institution", "licensed_beds", "120", 120),
        ("ga_death", "姓名", "", None),
    ],
)
def test_values_parse_per_feed_format(feed, column, text, expected):
    c, f = col(feed, column)
    assert parse_value(text, c, f) == expected


@pytest.mark.parametrize(
    ("feed", "column", "text", "reason"),
    [
        ("ga_death", "死亡日期", "2026-11-29", "bad date"),
        ("ga_death", "死亡日期", "20261331", "bad date"),
        ("mz_payment", "pay_month", "2026-11-15", "not a month's first day"),
        ("mz_payment", "amount", "12,345.67", "bad amount"),  # no thousands separators in this feed
        ("mz_payment", "amount", "abc", "bad amount"),
        ("sw_income", "收入额", "12,34.5", "bad amount"),
        ("mz_eldercare_institution", "licensed_beds", "1.5", "bad integer"),
        ("mz_payment", "updated_at", "2026-11-29 10:00:00", "no time zone"),
    ],
)
def test_bad_values_say_why(feed, column, text, reason):
    c, f = col(feed, column)
    with pytest.raises(BadValue, match=reason):
        parse_value(text, c, f)


def test_csv_gbk_with_quoted_newline_and_bad_row(tmp_path):
    path = tmp_path / "d.csv"
    text = '公民身份号码,姓名,死亡日期,注销日期,派出所\r\n210105194912310023,张三,20261101,20261102,"北陵\n派出所"\r\n1,2,3\r\n'
    path.write_bytes(text.encode("gbk"))
    header, records = read_csv(path, "gbk", ",")
    rows = list(records)
    assert header[0] == "公民身份号码"
    assert rows[0].fields["派出所"] == "北陵\n派出所" and rows[0].line == 2
    assert rows[1].fields is None and "3 fields" in rows[1].problem and rows[1].line == 4
    assert rows[1].raw_text == "1,2,3"


def test_csv_utf8_bom_and_pipe_delimiter(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeffid_number|balance\n210105194912310023|1.00\n".encode())
    header, records = read_csv(path, "utf-8-sig", "|")
    assert header == ["id_number", "balance"]
    assert list(records)[0].fields == {"id_number": "210105194912310023", "balance": "1.00"}


def test_csv_undecodable_row_is_malformed_not_fatal(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"a,b\n1,2\n\xff\xfe,3\n")
    _, records = read_csv(path, "utf-8", ",")
    rows = list(records)
    assert rows[0].fields == {"a": "1", "b": "2"}
    assert rows[1].fields is None and "utf-8" in rows[1].problem


def test_xlsx_short_rows_and_cells_beyond_header(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["公民身份号码", "姓名", "死亡日期"])
    sheet.append(["210105194912310023", "张三"])  # ends early: last cell empty
    sheet.append(["210105194912310023", "李四", date(2026, 11, 1), "extra"])
    book.save(tmp_path / "d.xlsx")
    header, records = read_xlsx(tmp_path / "d.xlsx")
    rows = list(records)
    assert header == ["公民身份号码", "姓名", "死亡日期"]
    assert rows[0].fields == {"公民身份号码": "210105194912310023", "姓名": "张三", "死亡日期": None}
    assert rows[1].fields is None and rows[1].line == 3


def test_xlsx_formula_text_of_a_spreadsheet_id_is_kept(tmp_path):
    """="…" cells written by spreadsheets carry no cached value; the text must survive."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["公民身份号码", "姓名"])
    sheet.append(['="210105194912310023"', "张三"])
    book.save(tmp_path / "d.xlsx")
    _, records = read_xlsx(tmp_path / "d.xlsx")
    assert list(records)[0].fields["公民身份号码"] == '="210105194912310023"'
