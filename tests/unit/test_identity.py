"""Identity-number normalisation (ingest/spec/resident-id.md): every dirt-table row, every reason.

``VECTORS`` is also what tests/integration/test_identity_sql.py feeds the SQL functions, so a row
added here is checked on both sides.
"""

from __future__ import annotations

from datetime import date

import pytest

from ingest.identity import SEPARATORS, check_char, is_valid, normalize_id_number

AS_OF = date(2024, 6, 30)

# The spec's worked examples.
STANDARD = "11010519491231002X"
SHENYANG = "210105194912310023"
SHENYANG_2 = "210106198001011238"
LEGACY_15 = "210105491231002"  # the 15-digit form of SHENYANG


def _ref_check_char(first17: str) -> str:
    """The spec's formula written independently: weight of digit i is 2**(18 - i) mod 11."""
    s = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[s % 11]


def make_id(first17: str) -> str:
    return first17 + _ref_check_char(first17)


def born(yyyymmdd: str, area: str = "210102", seq: str = "123") -> str:
    return make_id(area + yyyymmdd + seq)


def wrong_check(id18: str) -> str:
    return id18[:17] + ("0" if id18[17] != "0" else "1")


# (raw, as_of, expected normalised number, expected reason)
VECTORS: list[tuple[str | None, date | None, str | None, str | None]] = [
    # worked examples, as-is
    (STANDARD, None, STANDARD, None),
    (SHENYANG, None, SHENYANG, None),
    (SHENYANG_2, None, SHENYANG_2, None),
    (SHENYANG_2, AS_OF, SHENYANG_2, None),
    # dirt table: lower-case x
    ("11010519491231002x", None, STANDARD, None),
    # full-width digits, Ｘ and ｘ
    ("２１０１０５１９４９１２３１００２３", None, SHENYANG, None),
    ("１１０１０５１９４９１２３１００２Ｘ", None, STANDARD, None),
    ("１１０１０５１９４９１２３１００２ｘ", None, STANDARD, None),
    ("2101０５19491231００23", None, SHENYANG, None),
    # spaces, tabs, hyphens inside or around
    (" 210105194912310023 ", None, SHENYANG, None),
    ("\t210105 19491231 0023\t", None, SHENYANG, None),
    ("210105-19491231-0023", None, SHENYANG, None),
    ("-210105-1949-1231-002X- ", None, None, "bad_check_digit"),
    (" 110105 19491231 002x\r\n", None, STANDARD, None),
    ("2101\u300005194912310023", None, SHENYANG, None),  # ideographic (full-width) space
    ("210105\u00a01949\u20141231\uff0d0023", None, SHENYANG, None),  # NBSP, em dash, full-width hyphen
    ("\ufeff210105194912310023\u200b", None, SHENYANG, None),  # BOM, zero-width space
    # a 15-digit legacy number
    (LEGACY_15, None, SHENYANG, None),
    (" 210105-491231-002 ", None, SHENYANG, None),
    ("２１０１０５４９１２３１００２", None, SHENYANG, None),
    ("'210105491231002", None, SHENYANG, None),
    # a leading apostrophe or ="…" from a spreadsheet
    ("'210105194912310023", None, SHENYANG, None),
    ("'11010519491231002x", None, STANDARD, None),
    ('="210105194912310023"', None, SHENYANG, None),
    ('="11010519491231002x"', None, STANDARD, None),
    (' ="210105 19491231 0023" ', None, SHENYANG, None),
    ('="210105491231002"', None, SHENYANG, None),
    # scientific notation: the digits are lost
    ("2.10105E+17", None, None, "scientific_notation"),
    ("2.10105e+17", None, None, "scientific_notation"),
    ("2.10105194912E17", None, None, "scientific_notation"),
    ("2,10105E+17", None, None, "scientific_notation"),
    ("'2.10105E+17", None, None, "scientific_notation"),
    ('="2.10105E+17"', None, None, "scientific_notation"),
    ("２.１０１０５E+１７", None, None, "scientific_notation"),
    (" 2.10105E+17 ", None, None, "scientific_notation"),
    # empty
    (None, None, None, "empty"),
    ("", None, None, "empty"),
    ("   \t ", None, None, "empty"),
    ("-", None, None, "empty"),
    ("'", None, None, "empty"),
    ('=""', None, None, "empty"),
    ("\u3000", None, None, "empty"),
    # letters and other characters
    ("21010519491231002A", None, None, "bad_characters"),
    ("2101051949123100X3", None, None, "bad_characters"),  # X only as the check character
    ("X10105194912310023", None, None, "bad_characters"),
    ("21010519491231002XX", None, None, "bad_characters"),
    ("210105.194912310023", None, None, "bad_characters"),
    ("210105194912310023.0", None, None, "bad_characters"),
    ('"210105194912310023"', None, None, "bad_characters"),  # plain quotes are not a wrapper
    ('="210105194912310023', None, None, "bad_characters"),
    ('="', None, None, "bad_characters"),
    ("''210105194912310023", None, None, "bad_characters"),  # one apostrophe only
    ("210105194912310023'", None, None, "bad_characters"),
    ("٢١٠١٠٥١٩٤٩١٢٣١٠٠٢٣", None, None, "bad_characters"),  # Arabic-Indic digits are not ASCII
    ("210105194912310023/1", None, None, "bad_characters"),
    ("n/a", None, None, "bad_characters"),
    ("无", None, None, "bad_characters"),
    ("E+17", None, None, "bad_characters"),
    ("２.１０１０５Ｅ+１７", None, None, "bad_characters"),  # only digits and Ｘ/ｘ are mapped from full width
    # wrong length (never padded or cut)
    ("21010519491231002", None, None, "bad_length"),
    ("2101051949123100231", None, None, "bad_length"),
    ("2101054912310021", None, None, "bad_length"),
    ("21010549123100", None, None, "bad_length"),
    ("21010549123100X", None, None, "bad_length"),  # a legacy number has no check character
    ("X", None, None, "bad_length"),
    ("0", None, None, "bad_length"),
    ("2101051949123100X", None, None, "bad_length"),
    # impossible birth dates
    (born("19490230"), None, None, "bad_birth_date"),
    (born("19000229"), None, None, "bad_birth_date"),  # 1900 is not a leap year
    (born("20230229"), None, None, "bad_birth_date"),
    (born("19800431"), None, None, "bad_birth_date"),
    (born("19801301"), None, None, "bad_birth_date"),
    (born("19800001"), None, None, "bad_birth_date"),
    (born("19800100"), None, None, "bad_birth_date"),
    (born("19800132"), None, None, "bad_birth_date"),
    (born("00000000"), None, None, "bad_birth_date"),
    (born("18791231"), None, None, "bad_birth_date"),  # before 1880-01-01
    (born("20240701"), AS_OF, None, "bad_birth_date"),  # after the business date
    (born("20990101"), AS_OF, None, "bad_birth_date"),
    (SHENYANG_2, date(1979, 12, 31), None, "bad_birth_date"),
    (LEGACY_15, date(1949, 12, 30), None, "bad_birth_date"),
    ("210105490230002", None, None, "bad_birth_date"),  # legacy: 1949-02-30
    ("210105001301002", None, None, "bad_birth_date"),  # legacy: month 13
    # possible birth dates at the edges
    (born("18800101"), None, born("18800101"), None),
    (born("20000229"), None, born("20000229"), None),
    (born("20240229"), AS_OF, born("20240229"), None),
    (born("20240630"), AS_OF, born("20240630"), None),  # born on the business date
    (born("20990101"), None, born("20990101"), None),  # no business date, no upper bound
    (LEGACY_15, date(1949, 12, 31), SHENYANG, None),
    ("210105000229002", None, None, "bad_birth_date"),  # legacy: 1900-02-29
    ("210105960229002", None, make_id("21010519960229002"), None),
    # wrong check character: never repaired
    (wrong_check(SHENYANG), None, None, "bad_check_digit"),
    ("110105194912310023", None, None, "bad_check_digit"),
    ("21010519491231002X", None, None, "bad_check_digit"),
    ("21010519491231002x", None, None, "bad_check_digit"),
    ("２１０１０５１９４９１２３１００２４", None, None, "bad_check_digit"),
    ('="210105194912310024"', None, None, "bad_check_digit"),
    ("'210106198001011239", None, None, "bad_check_digit"),
    # birth date is judged before the check character (fields in order)
    (wrong_check(born("19490230")), None, None, "bad_birth_date"),
    (wrong_check(born("20240701")), AS_OF, None, "bad_birth_date"),
]

REASONS = {"empty", "scientific_notation", "bad_characters", "bad_length", "bad_birth_date", "bad_check_digit"}


@pytest.mark.parametrize(("raw", "as_of", "expected", "reason"), VECTORS)
def test_vectors(raw: str | None, as_of: date | None, expected: str | None, reason: str | None) -> None:
    assert normalize_id_number(raw, as_of) == (expected, reason)


def test_vectors_cover_every_reason_and_valid_results() -> None:
    assert {reason for *_, reason in VECTORS} == REASONS | {None}


@pytest.mark.parametrize("id18", [STANDARD, SHENYANG, SHENYANG_2])
def test_worked_examples(id18: str) -> None:
    assert check_char(id18[:17]) == id18[17]
    assert is_valid(id18)
    assert normalize_id_number(id18) == (id18, None)


def test_legacy_15_becomes_18() -> None:
    assert normalize_id_number(LEGACY_15) == (SHENYANG, None)
    assert normalize_id_number("110105491231002") == (STANDARD, None)


def test_check_char_matches_the_formula() -> None:
    for i in range(2000):
        first17 = f"{210102 + i % 23:06d}{19000101 + i * 7919 % 1000000:08d}{i % 1000:03d}"
        assert check_char(first17) == _ref_check_char(first17)
    assert {check_char(f"2101051949123100{d}") for d in "0123456789"} <= set("0123456789X")


@pytest.mark.parametrize("bad", ["", "2101051949123100", "210105194912310023", "2101051949123100X", "２" * 17])
def test_check_char_rejects_anything_but_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_char(bad)


def test_is_valid_only_for_normalised_numbers() -> None:
    assert is_valid(born("20240630"), AS_OF)
    assert not is_valid(born("20240701"), AS_OF)
    for not_normalised in ["11010519491231002x", LEGACY_15, f" {SHENYANG}", f"'{SHENYANG}", "２１０１０５１９４９１２３１００２３"]:
        assert normalize_id_number(not_normalised)[0] is not None
        assert not is_valid(not_normalised)
    assert not is_valid(wrong_check(SHENYANG))


def test_normalised_numbers_are_fixed_points() -> None:
    for raw, as_of, expected, _ in VECTORS:
        if expected is not None:
            assert normalize_id_number(expected, as_of) == (expected, None), raw


@pytest.mark.parametrize("separator", list(SEPARATORS))
def test_every_separator_is_dropped_anywhere(separator: str) -> None:
    raw = separator.join(["", "210105", "1949", "1231", "002", "3", ""])
    assert normalize_id_number(raw) == (SHENYANG, None)


def test_no_digit_is_ever_guessed() -> None:
    """MOD 11-2 catches every single-character error, and nothing is repaired: all are rejected."""
    for id18 in (STANDARD, SHENYANG, SHENYANG_2):
        for pos in range(18):
            for c in "0123456789X":
                mutated = id18[:pos] + c + id18[pos + 1 :]
                if mutated != id18:
                    assert normalize_id_number(mutated)[0] is None, mutated
