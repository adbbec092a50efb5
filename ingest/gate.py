"""The data-quality gate: Soda 4 contracts verified against the warehouse, in layers.

* **landing** (``soda/contracts/landing/``): what the partners delivered for the business date
  (``raw.ga_death``, ``raw.wj_death_certificate``, ``raw.mz_payment``): schema, key columns
  present (fail); identity validity rate, other required values, the day's row count against
  the feed's recent days (warn);
* **person** (``soda/contracts/person/``): ``intermediate.int_person_death_dates``;
* **marts** (``soda/contracts/fct_warnings.yml``): the warnings about to be pushed.

Warn and fail are kept apart: a warn-level check is stored and reported but never blocks; a
fail-level check that fails (or a check that cannot be evaluated) in *any* layer stops the
push, with a message naming the contract and the check (a broken landing is broken evidence
under the warnings, even when the mart still looks well-formed). Every contract is verified
even after one failed, so the operator sees all of it at once. Results are kept per business
date and contract, readable by operators in ``meta.gate_results`` (rerunning a date replaces
its results, adding no rows)::

    select contract, check_path, outcome, diagnostics from meta.gate_results
    where business_date = '2026-11-29' and outcome <> 'passed' order by contract, check_path;
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg

from ingest import db

log = logging.getLogger(__name__)
SODA_DIR = Path(__file__).resolve().parent.parent / "soda"
DATASOURCE = SODA_DIR / "datasource.yml"
CONTRACTS = SODA_DIR / "contracts"
MART_CONTRACT = CONTRACTS / "fct_warnings.yml"


def layers() -> dict[str, list[Path]]:
    """The contracts of each layer, in the order they are verified."""
    return {
        "landing": sorted((CONTRACTS / "landing").glob("*.yml")),
        "person": sorted((CONTRACTS / "person").glob("*.yml")),
        "marts": [MART_CONTRACT],
    }

RESULTS_DDL = """
create table if not exists meta.gate_results (
    business_date date not null,
    contract      text not null,
    check_path    text not null,
    check_name    text,
    outcome       text not null,      -- passed | warned | failed | not_evaluated
    diagnostics   jsonb,
    verified_at   timestamptz not null default now(),
    primary key (business_date, contract, check_path)
);
"""


class GateFailed(RuntimeError):
    """A fail-level check failed: nothing may be pushed."""


@dataclass
class GateResult:
    contract: str
    passed: bool
    failed: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checks: int = 0

    def message(self) -> str:
        if self.passed:
            warn = f", {len(self.warned)} warning(s): {'; '.join(self.warned)}" if self.warned else ""
            return f"gate {self.contract}: {self.checks} checks passed{warn}"
        parts = self.failed + [f"error: {e}" for e in self.errors]
        return f"gate {self.contract} FAILED, push stopped: " + "; ".join(parts)


def verify(contract: Path, dsn: str, business_date: date) -> GateResult:
    """Verify one contract and store its results; never raises for a failed check."""
    import os

    os.environ.update(db.dsn_parts(dsn))
    from soda_core.contracts import verify_contract_locally  # after telemetry is off (import ingest)

    session = verify_contract_locally(
        data_source_file_path=str(DATASOURCE),
        contract_file_path=str(contract),
        variables={"DBNAME": db.dsn_parts(dsn)["WH_DBNAME"], "BUSINESS_DATE": business_date.isoformat()},
    )
    result = GateResult(contract=contract.stem, passed=True)
    rows = []
    for verification in session.contract_verification_results:
        for check in verification.check_results:
            name = check.check.name or check.check.relative_path
            outcome = ("passed" if check.is_passed else "warned" if check.is_warned
                       else "failed" if check.is_failed else "not_evaluated")
            result.checks += 1
            if outcome == "failed":
                result.failed.append(f"{check.check.relative_path} ({name}): {check.diagnostic_metric_values}")
            elif outcome == "warned":
                result.warned.append(f"{check.check.relative_path}: {check.diagnostic_metric_values}")
            elif outcome == "not_evaluated":
                result.errors.append(f"{check.check.relative_path} not evaluated")
            rows.append((check.check.relative_path, name, outcome,
                         psycopg.types.json.Jsonb(_jsonable(check.diagnostic_metric_values))))
    result.errors += session.get_errors()
    result.passed = not result.failed and not result.errors and result.checks > 0
    if result.checks == 0 and not result.errors:
        result.errors.append("no check was evaluated")
    with db.connect(dsn) as conn, conn.transaction():
        conn.execute(RESULTS_DDL)
        conn.execute("delete from meta.gate_results where business_date = %s and contract = %s",
                     (business_date, result.contract))
        for path, name, outcome, diagnostics in rows:
            conn.execute(
                """insert into meta.gate_results (business_date, contract, check_path, check_name,
                                                  outcome, diagnostics) values (%s, %s, %s, %s, %s, %s)""",
                (business_date, result.contract, path, name, outcome, diagnostics),
            )
    (log.info if result.passed else log.error)(result.message())
    return result


def _jsonable(values: dict | None) -> dict:
    return {k: (v if isinstance(v, int | float | str | None) else str(v)) for k, v in (values or {}).items()}


def require(contract: Path, dsn: str, business_date: date) -> GateResult:
    result = verify(contract, dsn, business_date)
    if not result.passed:
        raise GateFailed(result.message())
    return result


@dataclass
class GateReport:
    """Every contract of every layer verified for one business date."""

    results: list[GateResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def warned(self) -> list[str]:
        return [f"{r.contract}: {w}" for r in self.results for w in r.warned]

    def message(self) -> str:
        failed = [r for r in self.results if not r.passed]
        if not failed:
            checks = sum(r.checks for r in self.results)
            warn = f"; {len(self.warned)} warning(s): {'; '.join(self.warned)}" if self.warned else ""
            return f"gate: {len(self.results)} contracts, {checks} checks passed{warn}"
        return "gate FAILED, push stopped: " + " | ".join(r.message() for r in failed)


def verify_all(dsn: str, business_date: date, contracts: list[Path] | None = None) -> GateReport:
    """Verify the given contracts (default: every layer) and store each one's results."""
    paths = contracts if contracts is not None else [p for group in layers().values() for p in group]
    return GateReport([verify(p, dsn, business_date) for p in paths])


def require_all(dsn: str, business_date: date, contracts: list[Path] | None = None) -> GateReport:
    """As :func:`verify_all`; raises :class:`GateFailed` if a fail-level check failed anywhere."""
    report = verify_all(dsn, business_date, contracts)
    if not report.passed:
        raise GateFailed(report.message())
    log.info(report.message())
    return report
