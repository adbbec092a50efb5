"""The rig's command line.

    python -m rig generate --size tiny|small|city --seed 42 --out DIR --first-date 2026-11-27 --days 3
                           [--fault-day 2026-11-28] [--rules W01,W02]
    python -m rig publish --rig DIR --through 2026-11-28 [--mz-dsn DSN] [--landing DIR] [--api DIR]
    python -m rig.partner_api --root DIR/api --port P --token T
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from rig.world import SIZES


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (YYYY-MM-DD)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rig", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="build a deterministic world and its day folders")
    g.add_argument("--size", choices=sorted(SIZES), default="tiny")
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("--first-date", type=_date, default=date(2026, 11, 27))
    g.add_argument("--days", type=int, default=3)
    g.add_argument("--fault-day", type=_date, action="append", default=[], metavar="DATE",
                   help="a business day (not the first) carrying every delivery fault (repeatable)")
    g.add_argument("--rules", help="comma-separated rules the reference evaluates (default: all, W01-W17; city: W01)")
    p = sub.add_parser("publish", help="make the world visible up to a business day")
    p.add_argument("--rig", type=Path, required=True)
    p.add_argument("--through", type=_date, required=True)
    p.add_argument("--mz-dsn", help="source database (PostgreSQL); omitted: files only")
    p.add_argument("--landing", type=Path, help="landing root (default RIG/landing)")
    p.add_argument("--api", type=Path, help="partner API root (default RIG/api)")
    args = parser.parse_args(argv)

    if args.command == "generate":
        if args.days < 1:
            parser.error("--days must be at least 1")
        from rig.generate import generate

        result = generate(args.out, args.size, args.seed, args.first_date, args.days,
                          fault_days=args.fault_day,
                          rules=args.rules.split(",") if args.rules else (["W01"] if args.size == "city" else None))
        print(f"rig {args.size} seed {args.seed}: {len(result.world.persons)} persons, "
              f"{len(result.days)} business days from {result.days[0]} in {result.seconds:.1f}s -> {args.out}")
        for feed, counts in result.counts.items():
            print(f"  {feed:28} {' '.join(f'{n:>8}' for n in counts)}")
        for d, warnings in result.expected.items():
            print(f"  expected warnings after {d}: {len(warnings)}")
        return 0

    from rig.publish import publish

    report = publish(args.rig, args.through, args.mz_dsn, landing_dir=args.landing, api_dir=args.api)
    print(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
