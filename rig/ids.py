"""Resident identity numbers (GB 11643-1999) as ``ingest/spec/resident-id.md`` describes them.

Written independently of the warehouse's own normaliser on purpose: the rig must be able
to catch the warehouse getting the check character or the legacy conversion wrong.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Dirt a partner's system leaves on a number that still normalises to the right one.
CLEANABLE_DIRT = ("lower_x", "fullwidth", "spaces", "hyphens", "legacy15", "apostrophe", "excel_formula")
# Dirt that makes the number invalid: it must join nothing.
INVALID_DIRT = ("scientific", "wrong_check")


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def make_id(area: str, birth: date, seq: int) -> str:
    """18-digit number; ``seq`` odd for men, even for women (0..999)."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def to_legacy15(id18: str) -> str:
    if id18[6:8] != "19":
        raise ValueError("only numbers of people born 1900-1999 have a 15-digit form")
    return id18[:6] + id18[8:17]


def applicable_dirt(id18: str) -> list[str]:
    kinds = [k for k in CLEANABLE_DIRT if k != "lower_x" or id18.endswith("X")]
    if id18[6:8] != "19":
        kinds.remove("legacy15")
    return kinds


_FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789X"}


def dirty(id18: str, kind: str) -> str:
    """The number as a partner's system might carry it."""
    if kind == "lower_x":
        return id18[:-1] + id18[-1].lower()
    if kind == "fullwidth":
        return id18.translate(_FULLWIDTH)
    if kind == "spaces":
        return f" {id18[:6]} {id18[6:14]} {id18[14:]}\t"
    if kind == "hyphens":
        return f"{id18[:6]}-{id18[6:14]}-{id18[14:]}"
    if kind == "legacy15":
        return to_legacy15(id18)
    if kind == "apostrophe":
        return "'" + id18
    if kind == "excel_formula":
        return f'="{id18}"'
    if kind == "scientific":
        # What a spreadsheet shows after turning the number into a float: digits lost.
        return f"{int(id18[:17]) / 10**16:.5f}E+17"
    if kind == "wrong_check":
        good = id18[-1]
        return id18[:-1] + next(c for c in "0123456789X" if c != good)
    raise ValueError(f"unknown dirt {kind!r}")


_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")


def normalise(raw: object, as_of: date | None = None) -> str | None:
    """The valid 18-digit form of ``raw``, or None when it cannot be normalised."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.lstrip("'")
    text = re.sub(r"[\s\-]", "", text).upper()
    if _ID15.fullmatch(text):
        first17 = text[:6] + "19" + text[6:]
        text = first17 + check_char(first17)
    if not _ID18.fullmatch(text):
        return None
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None
    if born < date(1880, 1, 1) or (as_of is not None and born > as_of):
        return None
    return text if check_char(text[:17]) == text[17] else None
