"""W02-W17 of ``warning-rules.md`` in plain Python, over what ``reference.Holdings`` holds.

Written from the spec's text alone (nothing is shared with the world generator or the
warehouse). Each rule yields ``Hit``s, one per flagged (program, case_ref, subject, month);
``reference.evaluate`` groups them into warnings. ``Ctx`` computes the shared terms once per
business day: paid months, members, death dates, custody, close relatives, standards.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from rig import reference
from rig.catalogue import standards
from rig.reference import Hit, Holdings, case_row, death_dates, paid_months, parse_date

Interval = tuple[date, date | None]
PAIRS = {"dibao": "dt", "tekun": "dt", "orphan": "ou", "unsupported_child": "ou"}
W10_PROGRAMS = ("dibao", "tekun", "orphan", "unsupported_child", "disability_living", "disability_care",
                "elderly_allowance", "temp_assistance")


def mstart(d: date) -> date:
    return date(d.year, d.month, 1)


@lru_cache(maxsize=4096)
def mend(m: date) -> date:
    return (date(m.year + (m.month == 12), m.month % 12 + 1, 1)) - timedelta(days=1)


def during(iv: Interval, m: date) -> bool:
    lo, hi = iv
    return lo <= mend(m) and (hi is None or hi >= m)


def covers(iv: Interval, m: date) -> bool:
    lo, hi = iv
    return lo <= m and (hi is None or hi >= mend(m))


def on(iv: Interval, d: date) -> bool:
    lo, hi = iv
    return lo <= d and (hi is None or hi >= d)


def _s(v: object) -> str:
    return "" if v is None else str(v)


@lru_cache(maxsize=100_000)
def _dc(text: str, fmt: str | None) -> date | None:
    return parse_date(text, fmt)


def _d(v: object, fmt: str | None = None) -> date | None:
    return _dc(_s(v), fmt)


def _fen(v: object) -> int | None:
    text = _s(v).replace(",", "").strip()
    if not text:
        return None
    try:
        return int((Decimal(text) * 100).quantize(Decimal(1), ROUND_HALF_UP))
    except ArithmeticError:
        return None


def share(fen: int, n: int) -> int:
    return int((Decimal(fen) / n).quantize(Decimal(1), ROUND_HALF_UP))


def std_fen(m: date, area: str) -> int:
    table = standards()
    key = ("dibao_standard", m.year, area)
    if key not in table:
        years = sorted(y for k, y, a in table if k == "dibao_standard" and a == area)
        key = ("dibao_standard", min(max(m.year, years[0]), years[-1]), area)
    return int(table[key] * 100)


class Ctx:
    def __init__(self, h: Holdings) -> None:
        self.h = h
        self.norm = h.norm
        self.paid = paid_months(h)
        self.deaths = death_dates(h)
        # members per household: (person, joined, left)
        self.members: dict[str, list[tuple[str, date, date | None]]] = {}
        for row in h.table("mz_dibao_member").values():
            if row.get("deleted") == "true":
                continue
            p, joined = self.norm(row["id_number"]), _d(row["joined_date"])
            if p and joined:
                self.members.setdefault(row["household_id"], []).append((p, joined, _d(row["left_date"])))
        self.custody: dict[str, list[Interval]] = {}
        for row in h.current("sf_prisoner"):
            p, lo = self.norm(row.get("id_number")), _d(row.get("admitted_date"))
            if p and lo:
                self.custody.setdefault(p, []).append((lo, _d(row.get("released_date"))))
        self._members_in: dict[tuple[str, date], list[str]] = {}
        self._households_of: dict[str, set[str]] | None = None
        self.hukou: dict[str, dict] = {}
        for row in h.current("ga_hukou"):
            p = self.norm(row.get("id_number"))
            if p:
                self.hukou[p] = row

    def members_in(self, household: str, m: date) -> list[str]:
        key = (household, m)
        hit = self._members_in.get(key)
        if hit is None:
            end = mend(m)
            hit = self._members_in[key] = [p for p, lo, hi in self.members.get(household, [])
                                           if lo <= end and (hi is None or hi >= m)]
        return hit

    def member_on(self, household: str, person: str, d: date) -> bool:
        return any(p == person and on((lo, hi), d) for p, lo, hi in self.members.get(household, []))

    def recipients(self, program: str, case_ref: str, payee: str, m: date) -> list[str]:
        return self.members_in(case_ref, m) if program == "dibao" else [payee]

    def case(self, program: str, case_ref: str) -> dict | None:
        return case_row(self.h, program, case_ref)

    def area(self, case_ref: str) -> str:
        row = self.case("dibao", case_ref)
        return (row or {}).get("area_type") or "urban"

    def each_paid(self, *programs: str, only: Iterable[str] | None = None) -> Iterator[tuple[str, str, str, date, int]]:
        """Paid months of ``programs``; with ``only``, just the cases whose payee (or, for dibao,
        any member ever) is one of those persons: the others cannot be flagged."""
        refs: set[str] | None = None
        persons: set[str] | None = None
        if only is not None:
            persons = only if isinstance(only, set) else set(only)
            if self._households_of is None:
                self._households_of = {}
                for ref, ms in self.members.items():
                    for p, _, _ in ms:
                        self._households_of.setdefault(p, set()).add(ref)
            refs = set()
            for p in persons:
                refs |= self._households_of.get(p, set())
        for (program, case_ref, payee), months in self.paid.items():
            if program not in programs:
                continue
            if persons is not None and payee not in persons and not (program == "dibao" and case_ref in refs):  # type: ignore[operator]
                continue
            for m, fen in months.items():
                yield program, case_ref, payee, m, fen

    def per_recipient(self, program: str, case_ref: str, payee: str, m: date, fen: int) -> Iterator[tuple[str, int]]:
        """(recipient, amount): dibao members get the share, other programs the payee the amount."""
        if program == "dibao":
            ms = self.members_in(case_ref, m)
            for p in ms:
                yield p, share(fen, len(ms))
        else:
            yield payee, fen


def _intervals(rows: Iterable[dict], norm, id_col: str, lo_col: str, hi_col: str,
               keep=lambda r: True) -> dict[str, list[Interval]]:  # noqa: ANN001
    out: dict[str, list[Interval]] = {}
    for row in rows:
        p, lo = norm(row.get(id_col)), _d(row.get(lo_col))
        if p and lo and keep(row):
            out.setdefault(p, []).append((lo, _d(row.get(hi_col))))
    return out


# ---- the rules ------------------------------------------------------------------------------
def w02(c: Ctx) -> Iterator[Hit]:
    for program, ref, payee, m, fen in c.each_paid("dibao", only=set(c.deaths)):
        ms = c.members_in(ref, m)
        for p in ms:
            death = c.deaths.get(p)
            if p != payee and death is not None and death < m:
                yield Hit(program, ref, p, m, share(fen, len(ms)))


def w03(c: Ctx) -> Iterator[Hit]:
    progs = [p for p in ("dibao", "tekun", "orphan", "unsupported_child", "disability_living", "disability_care",
                         "elderly_allowance")]
    for program, ref, payee, m, fen in c.each_paid(*progs, only=set(c.custody)):
        for p, amount in c.per_recipient(program, ref, payee, m, fen):
            if any(covers(iv, m) for iv in c.custody.get(p, [])):
                yield Hit(program, ref, p, m, amount)


def person_income(c: Ctx) -> dict[tuple[str, date], int]:
    h = c.h
    contrib: dict[tuple[str, date], int] = {}
    fmt = h.cat.feed("rs_contribution").date_format
    for row in h.current("rs_contribution"):
        if row.get("payer_type") != "employer":
            continue
        p, m, fen = c.norm(row.get("id_number")), _d(row.get("contribution_month"), fmt), _fen(row.get("contribution_base"))
        if p and m and fen is not None:
            contrib[(p, m)] = contrib.get((p, m), 0) + fen
    tax: dict[tuple[str, date], int] = {}
    fmt = h.cat.feed("sw_income").date_format
    for row in h.current("sw_income"):
        p, m, fen = c.norm(row.get("纳税人身份证号")), _d(row.get("所属期"), fmt), _fen(row.get("收入额"))
        if p and m and fen is not None:
            tax[(p, m)] = tax.get((p, m), 0) + fen
    posts: dict[str, list[tuple[Interval, int]]] = {}
    for row in h.current("rs_public_employee"):
        p, lo, fen = c.norm(row.get("id_number")), _d(row.get("start_date")), _fen(row.get("monthly_salary"))
        if p and lo and fen is not None:
            posts.setdefault(p, []).append(((lo, _d(row.get("end_date"))), fen))
    pension: dict[tuple[str, date], int] = {}
    fmt = h.cat.feed("rs_pension").date_format
    for row in h.current("rs_pension"):
        if row.get("scheme") != "employee":
            continue
        p, m, fen = c.norm(row.get("id_number")), _d(row.get("pay_month"), fmt), _fen(row.get("amount"))
        if p and m and fen is not None:
            pension[(p, m)] = pension.get((p, m), 0) + fen
    c.posts = posts  # type: ignore[attr-defined]
    out: dict[tuple[str, date], int] = {}
    for key in set(contrib) | set(tax) | set(pension):
        out[key] = 0
    c.income_parts = (contrib, tax, pension)  # type: ignore[attr-defined]
    return out


def w04(c: Ctx) -> Iterator[Hit]:
    def parts() -> tuple:
        person_income(c)
        return (*c.income_parts, c.posts)  # type: ignore[attr-defined]

    contrib, tax, pension, posts = c.h.memo(  # type: ignore[misc]
        "income", ("rs_contribution", "sw_income", "rs_public_employee", "rs_pension"), parts)

    def income(p: str, m: date) -> int:
        salary = sum(fen for iv, fen in posts.get(p, []) if during(iv, m))
        return max(contrib.get((p, m), 0), tax.get((p, m), 0), salary) + pension.get((p, m), 0)

    def over(ref: str, m: date) -> bool:
        ms = c.members_in(ref, m)
        return bool(ms) and sum(income(p, m) for p in ms) > std_fen(m, c.area(ref)) * len(ms)

    earners = {p for p, _ in contrib} | {p for p, _ in tax} | {p for p, _ in pension} | set(posts)
    by_case: dict[str, set[date]] = {}
    for _, ref, _, m, _ in c.each_paid("dibao", only=earners):
        by_case.setdefault(ref, set()).add(m)
    ordered = {ref: sorted(ms) for ref, ms in by_case.items()}
    cache: dict[tuple[str, date], bool] = {}

    def over_c(ref: str, m: date) -> bool:
        if (ref, m) not in cache:
            cache[(ref, m)] = over(ref, m)
        return cache[(ref, m)]

    for program, ref, payee, m, fen in c.each_paid("dibao", only=earners):
        months = ordered[ref]
        i = bisect.bisect_left(months, m)
        if i >= 2 and over_c(ref, m) and over_c(ref, months[i - 1]) and over_c(ref, months[i - 2]):
            yield Hit(program, ref, payee, m, fen)


def w05(c: Ctx) -> Iterator[Hit]:
    held: dict[str, list[tuple[Interval, str, str]]] = {}
    for row in c.h.current("zj_real_estate"):
        p, lo = c.norm(row.get("owner_id_number")), _d(row.get("registered_date"))
        if p and lo:
            held.setdefault(p, []).append(((lo, _d(row.get("cancelled_date"))), _s(row.get("usage")), _s(row.get("cert_no"))))
    for program, ref, payee, m, fen in c.each_paid("dibao", only=set(held)):
        residential, business = set(), False
        for p in c.members_in(ref, m):
            for iv, usage, cert in held.get(p, []):
                if during(iv, m):
                    business |= usage in ("commercial", "industrial")
                    if usage == "residential":
                        residential.add(cert)
        if business or len(residential) >= 2:
            yield Hit(program, ref, payee, m, fen)


def w06(c: Ctx) -> Iterator[Hit]:
    cars = _intervals(
        ({**r, "_to": None if r.get("status") == "normal" else r.get("status_date")} for r in c.h.current("ga_vehicle")),
        c.norm, "owner_id_number", "registered_date", "_to",
        keep=lambda r: r.get("vehicle_type") in ("passenger_car", "truck"))
    for program, ref, _, m, fen in c.each_paid("dibao", only=set(cars)):
        for p in c.members_in(ref, m):
            if any(during(iv, m) for iv in cars.get(p, [])):
                yield Hit(program, ref, p, m, fen)


def w07(c: Ctx) -> Iterator[Hit]:
    h = c.h
    active: dict[str, Interval] = {}
    reps: dict[str, list[str]] = {}
    for row in h.current("sc_enterprise"):
        lo = _d(row.get("established_date"))
        if lo is None:
            continue
        uscc = _s(row.get("uscc"))
        active[uscc] = (lo, None if row.get("status") == "active" else _d(row.get("status_date")))
        p = c.norm(row.get("legal_rep_id_number"))
        if p:
            reps.setdefault(p, []).append(uscc)
    holds: dict[str, list[tuple[str, Interval]]] = {}
    for row in h.current("sc_shareholder"):
        p, lo = c.norm(row.get("shareholder_id_number")), _d(row.get("since_date"))
        if p and lo:
            holds.setdefault(p, []).append((_s(row.get("uscc")), (lo, _d(row.get("until_date")))))
    shops = _intervals(h.current("sc_individual_business"), c.norm, "operator_id_number", "established_date",
                       "cancelled_date")

    def busy(p: str, m: date) -> bool:
        if any(u in active and during(active[u], m) for u in reps.get(p, [])):
            return True
        if any(u in active and during(active[u], m) and during(iv, m) for u, iv in holds.get(p, [])):
            return True
        return any(during(iv, m) for iv in shops.get(p, []))

    for program, ref, payee, m, fen in c.each_paid("dibao", "tekun", only=set(reps) | set(holds) | set(shops)):
        for p in c.recipients(program, ref, payee, m):
            if busy(p, m):
                yield Hit(program, ref, p, m, fen)


def w08(c: Ctx) -> Iterator[Hit]:
    posts = _intervals(c.h.current("rs_public_employee"), c.norm, "id_number", "start_date", "end_date")
    for program, ref, payee, m, fen in c.each_paid("dibao", "tekun", only=set(posts)):
        for p in c.recipients(program, ref, payee, m):
            if any(during(iv, m) for iv in posts.get(p, [])):
                yield Hit(program, ref, p, m, fen)


def w09(c: Ctx) -> Iterator[Hit]:
    def balances() -> dict[tuple[str, date], int]:
        out: dict[tuple[str, date], int] = {}
        for row in c.h.current("jr_deposit"):
            p, when, fen = c.norm(row.get("id_number")), _d(row.get("as_of_date")), _fen(row.get("balance"))
            if p and when and fen is not None:
                out[(p, when)] = out.get((p, when), 0) + fen
        return out

    balance: dict[tuple[str, date], int] = c.h.memo("balances", ("jr_deposit",), balances)  # type: ignore[assignment]
    savers = {p for p, _ in balance}
    for program, ref, payee, m, fen in c.each_paid("dibao", only=savers):
        ms = c.members_in(ref, m)
        before = m - timedelta(days=1)
        total = sum(balance.get((p, before), 0) for p in ms)
        if ms and total > 24 * std_fen(m, c.area(ref)) * len(ms):
            yield Hit(program, ref, payee, m, fen)


class Relatives:
    """Close relatives on a date: the same person, spouses on that date, or one 户号."""

    def __init__(self, c: Ctx) -> None:
        self.marriages: dict[frozenset[str], list[tuple[date, str]]] = {}
        for row in c.h.table("mz_marriage").values():
            a, b, d = c.norm(row["person1_id_number"]), c.norm(row["person2_id_number"]), _d(row["reg_date"])
            if a and b and d:
                self.marriages.setdefault(frozenset((a, b)), []).append((d, row["reg_type"]))
        self.household = {p: _s(r.get("household_no")) for p, r in c.hukou.items() if r.get("household_no")}

    def close(self, a: str, b: str, d: date) -> bool:
        if a == b:
            return True
        regs = sorted(x for x in self.marriages.get(frozenset((a, b)), []) if x[0] <= d)
        if regs and regs[-1][1] == "marriage":
            return True
        ha = self.household.get(a)
        return ha is not None and ha == self.household.get(b)


def _w10_w11(c: Ctx, unfiled: bool) -> Iterator[Hit]:
    rel = Relatives(c)
    staff = {row["staff_id"]: row for row in c.h.table("mz_staff").values()}
    filings: dict[tuple[str, str], list[date]] = {}
    for row in c.h.table("mz_staff_relative_filing").values():
        p, d = c.norm(row["relative_id_number"]), _d(row["filed_date"])
        if p and d:
            filings.setdefault((row["staff_id"], p), []).append(d)
    by_district: dict[str, list[tuple[str, str, Interval]]] = {}
    for sid, row in staff.items():
        p, lo = c.norm(row["id_number"]), _d(row["active_from"])
        if p and lo:
            by_district.setdefault(row["district_code"], []).append((sid, p, (lo, _d(row["active_to"]))))
    def judge(program: str, ref: str, p: str, case: dict, approved: date, own: set) -> Iterator[bool]:  # noqa: ANN001
        if program == "dibao" and not c.member_on(ref, p, approved):
            return
        if not unfiled:
            for sid in own:
                s = staff.get(sid)  # type: ignore[arg-type]
                sp = c.norm(s["id_number"]) if s else None
                if sp and rel.close(sp, p, approved):
                    yield True
                    return
            return
        for sid, sp, iv in by_district.get(case.get("district_code", ""), []):
            if sid in own or not on(iv, approved) or not rel.close(sp, p, approved):
                continue
            if any(d <= approved for d in filings.get((sid, p), [])):
                continue
            yield True
            return

    verdict: dict[tuple[str, str, str], bool] = {}
    for (program, ref, payee), months in c.paid.items():
        if program not in W10_PROGRAMS:
            continue
        case = c.case(program, ref)
        approved = _d((case or {}).get("approved_date"))
        if case is None or approved is None:
            continue
        own = {case.get("handler_staff_id"), case.get("approver_staff_id")} - {None, ""}
        for m, fen in months.items():
            for p, amount in c.per_recipient(program, ref, payee, m, fen):
                key = (program, ref, p)
                if key not in verdict:
                    verdict[key] = any(True for _ in judge(program, ref, p, case, approved, own))
                if verdict[key]:
                    yield Hit(program, ref, p, m, amount)


def w10(c: Ctx) -> Iterator[Hit]:
    return _w10_w11(c, False)


def w11(c: Ctx) -> Iterator[Hit]:
    return _w10_w11(c, True)


def w12(c: Ctx) -> Iterator[Hit]:
    refs_of: dict[tuple[str, str], set[str]] = {}  # (pair, person) -> cases they were ever in
    for program, ref, payee in c.paid:
        if program == "dibao":
            for p, _, _ in c.members.get(ref, []):
                refs_of.setdefault(("dt", p), set()).add(ref)
        elif program in PAIRS:
            refs_of.setdefault((PAIRS[program], payee), set()).add(ref)
    multi = {p for (_, p), refs in refs_of.items() if len(refs) > 1}
    slots: dict[tuple[str, str, date], list[tuple[date, str, str, str, int]]] = {}
    for program, ref, payee, m, fen in c.each_paid(*PAIRS, only=multi):
        case = c.case(program, ref)
        approved = _d((case or {}).get("approved_date")) or date.max
        for p, amount in c.per_recipient(program, ref, payee, m, fen):
            slots.setdefault((PAIRS[program], p, m), []).append((approved, ref, program, p, amount))
    for (_, p, m), entries in slots.items():
        if len({e[1] for e in entries}) < 2:
            continue
        first = min(entries)[1]
        for _, ref, program, _, amount in entries:
            if ref != first:
                yield Hit(program, ref, p, m, amount)


def w13(c: Ctx) -> Iterator[Hit]:
    settled: dict[str, date] = {}
    for row in c.h.current("ga_emigration"):
        p, d = c.norm(row.get("id_number")), _d(row.get("settled_date"))
        if p and d:
            settled[p] = min(settled.get(p, d), d)
    odd = {p for p, r in c.hukou.items() if not _s(r.get("hukou_district_code")).startswith("2101")
           or r.get("status") in ("moved_out", "abroad", "cancelled")} | set(settled)
    for program, ref, payee, m, fen in c.each_paid("dibao", "tekun", only=odd):
        hk = c.hukou.get(payee)
        if hk is None:
            continue
        gone = hk.get("status") in ("moved_out", "abroad", "cancelled") and (_d(hk.get("status_date")) or date.max) < m
        if not _s(hk.get("hukou_district_code")).startswith("2101") or gone or settled.get(payee, date.max) < m:
            yield Hit(program, ref, payee, m, fen)


def w14(c: Ctx) -> Iterator[Hit]:
    rates = standards()
    claims = [r for r in c.h.table("mz_eldercare_claim").values() if r.get("deleted") != "true"]
    by_resident: dict[tuple[str, date], list[dict]] = {}
    by_inst: dict[tuple[str, date], list[dict]] = {}
    for r in claims:
        m = _d(r["claim_month"])
        if m is None:
            continue
        p = c.norm(r["resident_id_number"])
        if p:
            by_resident.setdefault((p, m), []).append(r)
        by_inst.setdefault((r["institution_id"], m), []).append(r)
    second: set[str] = set()
    for group in by_resident.values():
        if len({r["institution_id"] for r in group}) > 1:
            second |= {r["claim_id"] for r in sorted(group, key=lambda r: r["claim_id"])[1:]}
    for r in claims:
        m, p, fen = _d(r["claim_month"]), c.norm(r["resident_id_number"]), _fen(r["claimed_amount"])
        if m is None or p is None or fen is None:
            continue
        death = c.deaths.get(p)
        a = death is not None and death < m
        b = r["claim_id"] in second
        key = ("eldercare_rate", m.year, r["care_level"])
        rate = int(rates[key] * 100) if key in rates else None
        d = rate is not None and fen > rate
        if a or b:
            yield Hit("eldercare_subsidy", r["claim_id"], p, m, fen)
        elif d:
            yield Hit("eldercare_subsidy", r["claim_id"], p, m, fen - rate)  # type: ignore[operator]
    beds = {k[0]: int(v.get("licensed_beds") or 0) for k, v in c.h.table("mz_eldercare_institution").items()}
    for (inst, m), group in by_inst.items():
        if inst in beds and len(group) > beds[inst]:
            over = sorted(group, key=lambda r: r["claim_id"])[beds[inst]:]
            yield Hit("eldercare_subsidy", f"{inst}:{m:%Y-%m}", inst, m, sum(_fen(r["claimed_amount"]) or 0 for r in over))


def w15(c: Ctx) -> Iterator[Hit]:
    for program, ref, payee, m, fen in c.each_paid("orphan"):
        case = c.case(program, ref) or {}
        for col in ("father_id_number", "mother_id_number"):
            parent = c.norm(case.get(col)) if case.get(col) else None
            if parent is None:
                continue
            death = c.deaths.get(parent)
            if death is not None and death <= mend(m):
                continue
            hk = c.hukou.get(parent)
            if hk is None or hk.get("status") != "normal":
                continue
            if any(during(iv, m) for iv in c.custody.get(parent, [])):
                continue
            yield Hit(program, ref, payee, m, fen)
            break


def w16(c: Ctx) -> Iterator[Hit]:
    certs: dict[str, list[Interval]] = {}
    for row in c.h.current("cl_disability_cert"):
        p, lo = c.norm(row.get("id_number")), _d(row.get("issued_date"))
        try:
            grade = int(_s(row.get("grade")))
        except ValueError:
            continue
        if p and lo and row.get("status") == "valid" and grade <= 2:
            certs.setdefault(p, []).append((lo, _d(row.get("valid_until"))))
    living = {payee for program, _, payee in c.paid if program == "disability_living"}
    in_dibao: set[tuple[str, date]] = set()
    for _, ref, _, m, _ in c.each_paid("dibao", only=living):
        for p in c.members_in(ref, m):
            in_dibao.add((p, m))
    for program, ref, payee, m, fen in c.each_paid("disability_care", "disability_living"):
        if program == "disability_care" and not any(during(iv, m) for iv in certs.get(payee, [])):
            yield Hit(program, ref, payee, m, fen)
        elif program == "disability_living" and (payee, m) not in in_dibao:
            yield Hit(program, ref, payee, m, fen)


def w17(c: Ctx) -> Iterator[Hit]:
    for program, ref, payee, m, fen in c.each_paid("elderly_allowance"):
        born = date(int(payee[6:10]), int(payee[10:12]), int(payee[12:14]))
        age = m.year - born.year - ((m.month, m.day) < (born.month, born.day))
        if age < 80:
            yield Hit(program, ref, payee, m, fen)


SEVERITY = {"W02": "medium", "W03": "high", "W04": "medium", "W05": "medium", "W06": "medium", "W07": "medium",
            "W08": "high", "W09": "medium", "W10": "high", "W11": "medium", "W12": "high", "W13": "low",
            "W14": "high", "W15": "high", "W16": "medium", "W17": "medium"}
FUNCS = {"W02": w02, "W03": w03, "W04": w04, "W05": w05, "W06": w06, "W07": w07, "W08": w08, "W09": w09,
         "W10": w10, "W11": w11, "W12": w12, "W13": w13, "W14": w14, "W15": w15, "W16": w16, "W17": w17}


def ctx_of(h: Holdings) -> Ctx:
    """One Ctx per Holdings and business day, shared by the rules evaluated on it."""
    cached = getattr(h, "_rules_ctx", None)
    if cached is None or cached[0] != h.day:
        cached = (h.day, Ctx(h))
        h._rules_ctx = cached  # type: ignore[attr-defined]
    return cached[1]


def _bind(fn):  # noqa: ANN001, ANN202
    return lambda h: fn(ctx_of(h))


for _rule, _fn in FUNCS.items():
    reference.RULES[_rule] = (SEVERITY[_rule], _bind(_fn))
