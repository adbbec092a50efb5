"""The synthetic world's objects: people, cases, payments' schedules, death reports.

Everything carries its own timeline (approval, termination, reversal, report dates), so the
same world can be cut into any sequence of business days; the writers in ``emit`` do that.
Amounts are integer fen (0.01 yuan) to stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from rig.catalogue import standards
from rig.formats import TZ

HISTORY_START = date(2016, 1, 1)

# Programs paid monthly per case, and the mz table holding the case row.
CASE_TABLE = {
    "dibao": "mz_dibao_household",
    "tekun": "mz_tekun_person",
    "orphan": "mz_child_welfare",
    "unsupported_child": "mz_child_welfare",
    "disability_living": "mz_disability_subsidy",
    "disability_care": "mz_disability_subsidy",
    "elderly_allowance": "mz_elderly_allowance",
    "temp_assistance": "mz_temp_assistance",
}


def mstart(d: date) -> date:
    return date(d.year, d.month, 1)


def madd(m: date, n: int) -> date:
    y, mo = divmod(m.month - 1 + n, 12)
    return date(m.year + y, mo + 1, 1)


def mend(m: date) -> date:
    return madd(mstart(m), 1) - timedelta(days=1)


def months(a: date, b: date) -> list[date]:
    out, m = [], mstart(a)
    while m <= b:
        out.append(m)
        m = madd(m, 1)
    return out


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute % 60), TZ)


def day_end(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59, 999999), TZ)


def age_on(birth: date, d: date) -> int:
    return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))


@dataclass(slots=True, eq=False)
class Person:
    id_number: str
    name: str
    gender: int  # 1 male, 2 female
    birth: date
    district: str  # hukou district: which police branch reports the death
    death: date | None = None
    planted: bool = False  # scripted: gets exactly the death reports its scenario names, no random ones


@dataclass(slots=True, eq=False)
class DeathReport:
    source: str  # ga (ga_death) | wj (wj_death_certificate) | mz (mz_death_cremation)
    person: Person
    death_date: date  # as the source states it
    business_date: date  # ga: 注销日期; wj: date published; mz: cremation date
    id_raw: str
    ref: str = ""  # certificate_no / record_id
    place: str = ""  # 派出所 / institution / funeral home
    at: datetime | None = None  # mz: updated_at


@dataclass(slots=True, eq=False)
class Redelivery:
    """A partner resends one business date with a higher sequence; rows matched by key value."""

    feed: str
    unit: str
    business_date: date
    on: date  # the business day in whose folder the redelivery appears
    sequence: int
    changes: dict[str, dict[str, object]]  # key value -> columns to change


@dataclass(slots=True, eq=False)
class Member:
    person: Person
    relation: str
    joined: date
    left: date | None = None


@dataclass(slots=True, eq=False)
class Case:
    program: str
    case_ref: str
    district: str
    payee: Person
    approved: date
    created_at: datetime
    first_month: date
    last_month: date | None = None  # last month paid; None = every month up to the horizon
    terminated: date | None = None
    terminated_at: datetime | None = None
    suspended_at: datetime | None = None
    deleted_at: datetime | None = None
    reversed: dict[date, datetime] = field(default_factory=dict)  # pay month -> reversal time
    reissued: set[date] = field(default_factory=set)  # reversed months paid again 3 days later
    supplement: dict[date, int] = field(default_factory=dict)  # extra payment (补发) in fen
    handler: str = ""
    approver: str = ""
    area: str = "urban"
    community: str = ""
    ratio: float = 1.0  # dibao: share of the standard the household gets
    members: list[Member] = field(default_factory=list)
    detail: dict[str, object] = field(default_factory=dict)
    planted: bool = False

    def members_during(self, m: date) -> int:
        end = mend(m)
        return sum(1 for x in self.members if x.joined <= end and (x.left is None or x.left >= m))

    def amount(self, m: date) -> int:
        """Fen paid for month m."""
        std = standards()
        year = min(max(m.year, 2016), 2026)
        p = self.program
        if p == "dibao":
            per = std[("dibao_standard", year, self.area)]
            return int(round(float(per) * self.ratio * max(self.members_during(m), 1))) * 100
        if p == "tekun":
            return int(float(std[("dibao_standard", year, self.area)]) * 1.3) * 100
        if p in ("orphan", "unsupported_child"):
            return (1500 + 60 * (year - 2016)) * 100
        if p == "disability_living":
            return min(70 + 5 * (year - 2016), 110) * 100
        if p == "disability_care":
            return (80 if year < 2020 else 100) * 100
        if p == "elderly_allowance":
            age = age_on(self.payee.birth, m)
            return (300 if age >= 100 else 120 if age >= 90 else 60) * 100
        if p == "temp_assistance":
            return int(self.detail["amount_fen"])  # type: ignore[call-overload]
        raise ValueError(p)

    def pay_months(self, until: date) -> list[date]:
        """Months paid (first version) up to ``until`` (a month start), before any reversal."""
        if self.program == "temp_assistance":
            return [self.first_month] if self.first_month <= until else []
        last = until if self.last_month is None else min(self.last_month, until)
        return months(self.first_month, last) if self.first_month <= last else []


@dataclass(slots=True, eq=False)
class Institution:
    institution_id: str
    name: str
    district: str
    ownership: str
    beds: int
    created_at: datetime


@dataclass(slots=True, eq=False)
class Claim:
    claim_id: str
    institution: Institution
    month: date
    resident: Person
    care_level: str
    amount: int  # fen
    created_at: datetime
    paid_at: datetime | None
    deleted_at: datetime | None = None


@dataclass(slots=True, eq=False)
class Staff:
    staff_id: str
    person: Person
    org_unit: str
    role: str
    district: str
    active_from: date
    active_to: date | None
    created_at: datetime


@dataclass(slots=True, eq=False)
class Filing:
    filing_id: str
    staff: Staff
    relative: Person
    relation: str
    filed: date


@dataclass(slots=True, eq=False)
class Marriage:
    record_id: str
    reg_type: str
    person1: Person
    person2: Person
    reg_date: date


@dataclass(frozen=True)
class Planted:
    """A deliberately planted situation and what the reference must say about it."""

    case: str
    rule: str
    program: str
    case_ref: str
    subject: str
    expect_fire: bool
    first_day: date | None  # the expectation holds from this business day (None: every day)
    last_day: date | None  # ... up to this one
    note: str
    months: int | None = None  # W02-W17: months and fen the world implies, where the planter states them
    fen: int | None = None


@dataclass
class World:
    seed: int
    size: str
    first_date: date
    persons: list[Person] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    filings: list[Filing] = field(default_factory=list)
    marriages: list[Marriage] = field(default_factory=list)
    deaths: list[DeathReport] = field(default_factory=list)
    redeliveries: list[Redelivery] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    district_index: dict[str, int] = field(default_factory=dict)
    horizon: datetime | None = None  # set by the writer: nothing after it is emitted
    _pay_at: dict[tuple[str, date], datetime] = field(default_factory=dict, repr=False)

    def pay_at(self, district: str, m: date) -> datetime:
        """Monthly programs pay on a district's own day, 8th..13th, in the morning."""
        t = self._pay_at.get((district, m))
        if t is None:
            i = self.district_index[district]
            t = self._pay_at[(district, m)] = at(date(m.year, m.month, 8 + i % 6), 9 + i % 3, 7 * i)
        return t
