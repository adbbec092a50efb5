"""The project's copy of the outside world's contracts is the contract itself.

Where ``../shared/spec`` exists (developer machines, CI) every file the project copied must
be byte-identical to it; a user's machine has no ``../shared`` and uses the copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "ingest" / "spec"
SHARED = ROOT.parent / "shared" / "spec"


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/spec on this machine")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED.glob("*")) if SHARED.is_dir() else [])
def test_copy_matches_shared_spec(name):
    assert (COPY / name).read_bytes() == (SHARED / name).read_bytes(), f"ingest/spec/{name} is stale"


def test_seeded_standards_equal_the_spec():
    assert (ROOT / "dbt_project" / "seeds" / "standards.csv").read_bytes() == (COPY / "standards.csv").read_bytes()
