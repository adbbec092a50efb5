"""Resident identity numbers (GB 11643-1999): normalise what the feeds carry, or say why not.

The identity number is the only key the civil-affairs databases and the partners share, so every
join runs on the output of :func:`normalize_id_number`. The contract is
``ingest/spec/resident-id.md``. ``dbt_project/macros/identity.sql`` implements the same rules in
SQL (``util.normalize_id_number`` / ``util.id_number_issue``) and
``tests/integration/test_identity_sql.py`` proves the two agree: change both or neither.

Only presentation noise is removed (separators, full-width forms, spreadsheet wrappers, the case of
the check character) and 15-digit legacy numbers are converted. Anything that would need a digit to
be guessed is rejected with a short, stable reason code that the data-quality mart counts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, Literal

Reason = Literal[
    "empty", "scientific_notation", "bad_characters", "bad_length", "bad_birth_date", "bad_check_digit"
]

WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS: Final = "10X98765432"  # indexed by sum(d_i * w_i) mod 11
EARLIEST_BIRTH: Final = dt.date(1880, 1, 1)

# Removed wherever they occur: ASCII whitespace, no-break and ideographic (full-width) spaces,
# zero-width space and BOM (invisible copy/paste residue), and the hyphen/dash family. None of
# them can stand for a digit, so dropping them guesses nothing. The SQL translate() lists the same
# characters in the same order.
SEPARATORS: Final = (
    " \t\n\r\x0b\x0c\u00a0\u3000\u200b\ufeff-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d"
)
_TRANSLATION: Final = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX", SEPARATORS)

# Spreadsheet wrappers that force text: ="..." (the formula form) or a leading apostrophe.
_WRAPPER: Final = re.compile(r'="(.*)"|\'(.*)', re.DOTALL)
# What a spreadsheet shows once it has turned the number into a float: the low digits are gone.
_SCIENTIFIC: Final = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE]\+?[0-9]+")
# ASCII digits only (never str.isdigit / \d: they accept other scripts), X only as the last char.
_CHARACTERS: Final = re.compile(r"[0-9]*X?")


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for 17 ASCII digits (the spec's weights and table)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"check_char needs 17 ASCII digits, got {first17!r}")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _birth_date_ok(yyyymmdd: str, as_of: dt.date | None) -> bool:
    """A real calendar date, not before 1880-01-01 and, given a business date, not after it."""
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return born >= EARLIEST_BIRTH and (as_of is None or born <= as_of)


def normalize_id_number(
    raw: str | None, as_of: dt.date | None = None
) -> tuple[str | None, Reason | None]:
    """Return ``(id18, None)`` for a valid number or ``(None, reason)`` when it cannot be used.

    Steps, in this order (the SQL does exactly the same, so the first failing step names the
    reason on both sides): drop separators and map full-width digits / ``x`` / ``Ｘ`` / ``ｘ``
    to ASCII ``0-9X``; unwrap one ``="…"`` or leading ``'``; then ``empty``,
    ``scientific_notation``, ``bad_characters`` (anything but ASCII digits and a final ``X``),
    ``bad_length`` (only 18, or 15 digits for a legacy number), ``bad_birth_date`` (checked
    against ``as_of`` when given), ``bad_check_digit`` (18-digit only: a legacy number has none,
    so its check character is computed, never checked).
    """
    if raw is None:
        return None, "empty"
    text = raw.translate(_TRANSLATION)
    if wrapped := _WRAPPER.fullmatch(text):
        text = wrapped.group(1) or wrapped.group(2) or ""
    if not text:
        return None, "empty"
    if _SCIENTIFIC.fullmatch(text):
        return None, "scientific_notation"
    if not _CHARACTERS.fullmatch(text):
        return None, "bad_characters"
    if not (len(text) == 18 or (len(text) == 15 and text[-1] != "X")):
        return None, "bad_length"
    first17 = text[:17] if len(text) == 18 else f"{text[:6]}19{text[6:]}"
    if not _birth_date_ok(first17[6:14], as_of):
        return None, "bad_birth_date"
    check = check_char(first17)
    if len(text) == 18 and text[17] != check:
        return None, "bad_check_digit"
    return first17 + check, None


def is_valid(id18: str, as_of: dt.date | None = None) -> bool:
    """True only for a number already in normalised form: 18 chars, upper-case X, valid.

    Use this to assert on stored keys; use :func:`normalize_id_number` on anything a feed sent.
    """
    return normalize_id_number(id18, as_of)[0] == id18
