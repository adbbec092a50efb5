"""Which generator plays which catalogue feed. Adding a feed = adding one entry here.

The catalogue's ``mode`` decides how a generator's output is written (``emit.py``):
db generators yield row versions, file generators ``(unit, business_date, row)``, api
generators ``(business_date, row)``. Feeds without a generator are not produced yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rig import gen_mz, gen_partners, partners

Generator = Callable[..., Any]

GENERATORS: dict[str, Generator] = {
    "mz_dibao_household": gen_mz.dibao_household,
    "mz_dibao_member": gen_mz.dibao_member,
    "mz_tekun_person": gen_mz.tekun_person,
    "mz_child_welfare": gen_mz.child_welfare,
    "mz_death_cremation": gen_mz.death_cremation,
    "mz_temp_assistance": gen_mz.temp_assistance,
    "mz_disability_subsidy": gen_mz.disability_subsidy,
    "mz_elderly_allowance": gen_mz.elderly_allowance,
    "mz_eldercare_institution": gen_mz.eldercare_institution,
    "mz_eldercare_claim": gen_mz.eldercare_claim,
    "mz_marriage": gen_mz.marriage,
    "mz_staff": gen_mz.staff,
    "mz_staff_relative_filing": gen_mz.staff_relative_filing,
    "mz_payment": gen_mz.payment,
    "ga_death": gen_partners.ga_death,
    "wj_death_certificate": gen_partners.wj_death_certificate,
    **partners.GENERATORS,
}

# Partner quirks the catalogue leaves open: how each unit's system writes what it may.
UNIT_STYLE: dict[str, dict[str, object]] = {
    "GA-LZ": {"date_cells": True},  # its xlsx export keeps real date cells; GA-FK writes text
}
