"""Generators for the bureau's business database (schema mz), one per catalogue feed.

Each yields, per row key, the row's versions as ``(updated_at, row)`` in time order; the
writer keeps, per business day, the last version of that day. Rows use catalogue column names.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from rig.formats import fmt_value
from rig.model import Case, World, at, madd, mstart

Versions = list[tuple[datetime, dict[str, object]]]


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _horizon(world: World) -> datetime:
    assert world.horizon is not None, "the writer sets the horizon before generating"
    return world.horizon


def _change_times(world: World, c: Case) -> list[datetime]:
    """When the case row changed: creation, yearly rates, members, age bands, end, deletion."""
    horizon = _horizon(world)
    times = {c.created_at}
    if c.program != "temp_assistance":
        last = c.last_month or mstart(horizon.date())
        candidates = [date(y, 1, 1) for y in range(c.approved.year + 1, last.year + 1)]
        if c.program == "dibao":
            candidates += [mstart(x) for m in c.members for x in (m.joined, m.left) if x]
            candidates += [madd(mstart(m.left), 1) for m in c.members if m.left]
        if c.program == "elderly_allowance":
            candidates += [madd(mstart(date(c.payee.birth.year + a, c.payee.birth.month, 1)), 0) for a in (90, 100)]
        prev = None
        for m in sorted(set(candidates)):
            if not (c.first_month < m <= last):
                continue
            amount = c.amount(m)
            if prev is None:
                prev = c.amount(madd(m, -1))
            if amount != prev:
                times.add(max(at(m, 8, 30), c.created_at))
            prev = amount
    for t in (c.suspended_at, c.terminated_at, c.deleted_at):
        if t is not None:
            times.add(t)
    return sorted(t for t in times if t <= horizon)


def _amount_at(c: Case, t: datetime) -> Decimal:
    m = max(mstart(t.date()), c.first_month)
    if c.last_month is not None and c.last_month >= c.first_month:
        m = min(m, c.last_month)
    return _yuan(c.amount(m))


def _common(c: Case, t: datetime) -> dict[str, object]:
    ended = c.terminated_at is not None and c.terminated_at <= t
    return {
        "district_code": c.district,
        "approved_date": c.approved,
        "terminated_date": c.terminated if ended else None,
        "monthly_amount": _amount_at(c, t),
        "handler_staff_id": c.handler,
        "approver_staff_id": c.approver,
        "updated_at": t,
        "deleted": c.deleted_at is not None and c.deleted_at <= t,
    }


def _cases(world: World, *programs: str) -> Iterator[Case]:
    return (c for c in world.cases if c.program in programs)


def dibao_household(world: World) -> Iterator[Versions]:
    for c in _cases(world, "dibao"):
        out: Versions = []
        for t in _change_times(world, c):
            row = _common(c, t)
            status = "active"
            if c.suspended_at is not None and c.suspended_at <= t:
                status = "suspended"
            if row["terminated_date"] is not None:
                status = "terminated"
            row.update(household_id=c.case_ref, community=c.community, area_type=c.area, status=status)
            out.append((t, row))
        yield out


def dibao_member(world: World) -> Iterator[Versions]:
    horizon = _horizon(world)
    for c in _cases(world, "dibao"):
        for m in c.members:
            joined_at = max(c.created_at, at(m.joined, 9, 15))
            left_at = max(joined_at, at(m.left, 9, 45)) if m.left else None
            times = sorted({t for t in (joined_at, left_at, c.deleted_at) if t is not None and t <= horizon})
            yield [(t, {
                "household_id": c.case_ref, "id_number": m.person.id_number, "name": m.person.name,
                "relation": m.relation, "joined_date": m.joined,
                "left_date": m.left if left_at is not None and left_at <= t else None,
                "updated_at": t, "deleted": c.deleted_at is not None and c.deleted_at <= t,
            }) for t in times]


def tekun_person(world: World) -> Iterator[Versions]:
    for c in _cases(world, "tekun"):
        yield [(t, {**_common(c, t), "case_id": c.case_ref, "id_number": c.payee.id_number,
                    "name": c.payee.name, "support_mode": c.detail.get("support_mode", "dispersed"),
                    "institution_id": c.detail.get("institution_id")}) for t in _change_times(world, c)]


def child_welfare(world: World) -> Iterator[Versions]:
    for c in _cases(world, "orphan", "unsupported_child"):
        father, mother = c.detail.get("father"), c.detail.get("mother")
        yield [(t, {**_common(c, t), "case_id": c.case_ref, "child_id_number": c.payee.id_number,
                    "child_name": c.payee.name, "category": c.detail["category"],
                    "father_id_number": getattr(father, "id_number", None),
                    "mother_id_number": getattr(mother, "id_number", None)}) for t in _change_times(world, c)]


def disability_subsidy(world: World) -> Iterator[Versions]:
    for c in _cases(world, "disability_living", "disability_care"):
        cert = f"{c.payee.id_number}{c.detail.get('type', 4)}{c.detail.get('grade', 2)}"
        yield [(t, {**_common(c, t), "case_id": c.case_ref, "id_number": c.payee.id_number,
                    "name": c.payee.name, "subsidy_type": c.program.split("_")[1],
                    "disability_cert_no": cert}) for t in _change_times(world, c)]


def elderly_allowance(world: World) -> Iterator[Versions]:
    for c in _cases(world, "elderly_allowance"):
        yield [(t, {**_common(c, t), "case_id": c.case_ref, "id_number": c.payee.id_number,
                    "name": c.payee.name}) for t in _change_times(world, c)]


def temp_assistance(world: World) -> Iterator[Versions]:
    for c in _cases(world, "temp_assistance"):
        out: Versions = []
        for t in _change_times(world, c):
            row = _common(c, t)
            for k in ("terminated_date", "monthly_amount"):
                del row[k]
            row.update(case_id=c.case_ref, id_number=c.payee.id_number, name=c.payee.name,
                       amount=_yuan(c.amount(c.first_month)), reason=c.detail["reason"])
            out.append((t, row))
        yield out


def death_cremation(world: World) -> Iterator[Versions]:
    for r in world.deaths:
        if r.source == "mz" and r.at is not None:
            yield [(r.at, {"record_id": r.ref, "id_number": r.id_raw, "name": r.person.name,
                           "death_date": r.death_date, "cremation_date": r.business_date,
                           "funeral_home": r.place, "updated_at": r.at})]


def eldercare_institution(world: World) -> Iterator[Versions]:
    for i in world.institutions:
        yield [(i.created_at, {"institution_id": i.institution_id, "name": i.name, "district_code": i.district,
                               "ownership": i.ownership, "licensed_beds": i.beds, "updated_at": i.created_at})]


def eldercare_claim(world: World) -> Iterator[Versions]:
    for cl in world.claims:
        base = {"claim_id": cl.claim_id, "institution_id": cl.institution.institution_id,
                "claim_month": cl.month, "resident_id_number": cl.resident.id_number,
                "resident_name": cl.resident.name, "care_level": cl.care_level,
                "claimed_amount": _yuan(cl.amount)}
        out: Versions = [(cl.created_at, {**base, "updated_at": cl.created_at, "deleted": False})]
        if cl.deleted_at is not None:
            out.append((cl.deleted_at, {**base, "updated_at": cl.deleted_at, "deleted": True}))
        yield out


def marriage(world: World) -> Iterator[Versions]:
    for m in world.marriages:
        t = at(m.reg_date, 10, 30)
        yield [(t, {"record_id": m.record_id, "reg_type": m.reg_type, "person1_id_number": m.person1.id_number,
                    "person2_id_number": m.person2.id_number, "reg_date": m.reg_date, "updated_at": t})]


def staff(world: World) -> Iterator[Versions]:
    for s in world.staff:
        base = {"staff_id": s.staff_id, "id_number": s.person.id_number, "name": s.person.name,
                "org_unit": s.org_unit, "role": s.role, "district_code": s.district, "active_from": s.active_from}
        out: Versions = [(s.created_at, {**base, "active_to": None, "updated_at": s.created_at})]
        if s.active_to is not None:
            t = at(s.active_to, 17)
            out.append((t, {**base, "active_to": s.active_to, "updated_at": t}))
        yield out


def staff_relative_filing(world: World) -> Iterator[Versions]:
    for f in world.filings:
        t = at(f.filed, 11)
        yield [(t, {"filing_id": f.filing_id, "staff_id": f.staff.staff_id, "relative_id_number": f.relative.id_number,
                    "relation": f.relation, "filed_date": f.filed, "updated_at": t})]


def payment(world: World) -> Iterator[Versions]:
    """One payment per case and month (dibao: the household, payee the applicant); reversals
    are a later version of the same payment, reissues and back payments new payment ids.

    Over a million rows at size small: values are pre-formatted text, cached, to keep it fast.
    """
    horizon = _horizon(world)
    until = mstart(horizon.date())
    text = _TextCache()

    def row(pid: str, program: str, ref: str, payee: str, m: date, fen: int, paid: datetime, status: str,
            t: datetime) -> dict[str, object]:
        return {"payment_id": pid, "program": program, "case_ref": ref, "payee_id_number": payee,
                "pay_month": text.month(m), "amount": text.fen(fen), "paid_at": text.ts(paid),
                "status": status, "updated_at": text.ts(t)}

    for c in world.cases:
        p, ref, payee = c.program, c.case_ref, c.payee.id_number
        for m in c.pay_months(until):
            paid = c.detail["paid_at"] if p == "temp_assistance" else world.pay_at(c.district, m)
            assert isinstance(paid, datetime)
            if paid > horizon:
                break
            fen, pid = c.amount(m), f"{ref}-{m:%Y%m}-1"
            versions: Versions = [(paid, row(pid, p, ref, payee, m, fen, paid, "paid", paid))]
            back = c.reversed.get(m)
            if back is not None:
                versions.append((back, row(pid, p, ref, payee, m, fen, paid, "reversed", back)))
            yield versions
            if back is not None and m in c.reissued:
                again = back + timedelta(days=3)
                yield [(again, row(f"{ref}-{m:%Y%m}-2", p, ref, payee, m, fen, again, "paid", again))]
            if m in c.supplement:
                extra = paid + timedelta(days=15)
                yield [(extra, row(f"{ref}-{m:%Y%m}-3", p, ref, payee, m, c.supplement[m], extra, "paid", extra))]
    for cl in world.claims:
        if cl.paid_at is not None:
            yield [(cl.paid_at, row(f"{cl.claim_id}-1", "eldercare_subsidy", cl.claim_id, cl.resident.id_number,
                                    cl.month, cl.amount, cl.paid_at, "paid", cl.paid_at))]


class _TextCache:
    def __init__(self) -> None:
        self._m: dict[date, str] = {}
        self._f: dict[int, str] = {}
        self._t: dict[datetime, str] = {}

    def month(self, m: date) -> str:
        s = self._m.get(m)
        if s is None:
            s = self._m[m] = fmt_value(m, "month")
        return s

    def fen(self, fen: int) -> str:
        s = self._f.get(fen)
        if s is None:
            s = self._f[fen] = fmt_value(_yuan(fen), "numeric")
        return s

    def ts(self, t: datetime) -> str:
        s = self._t.get(t)
        if s is None:
            s = self._t[t] = fmt_value(t, "timestamptz")
        return s
