"""Runtime configuration, read from the environment at task run time (never at DAG parse time).

| variable            | what                                                        |
| ------------------- | ----------------------------------------------------------- |
| WAREHOUSE_DSN       | the warehouse PostgreSQL (libpq URI)                         |
| LANDING_DIR         | landing root of file deliveries                              |
| PARTNER_API_URL     | base URL of the partners' REST API                           |
| PARTNER_API_TOKEN   | Bearer token for it                                          |
| MZ_SOURCE_DSN       | the bureau's business database (read-only role)              |
| PLATFORM_URL        | discipline-inspection platform base URL                      |
| PLATFORM_TOKEN      | Bearer token for the platform                                |
| PLATFORM_SECRET     | HMAC secret for request signatures                           |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    pass


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is not set (see README: Configuration)")
    return value


@dataclass(frozen=True)
class Settings:
    warehouse_dsn: str
    landing_dir: Path | None
    partner_api_url: str | None
    partner_api_token: str | None
    mz_source_dsn: str | None
    platform_url: str | None
    platform_token: str | None
    platform_secret: str | None

    def need(self, attr: str) -> str:
        value = getattr(self, attr)
        if value in (None, ""):
            raise ConfigError(f"environment variable {attr.upper()} is not set (see README: Configuration)")
        return str(value)


def settings() -> Settings:
    def opt(name: str) -> str | None:
        return os.environ.get(name, "").strip() or None

    landing = opt("LANDING_DIR")
    return Settings(
        warehouse_dsn=_required("WAREHOUSE_DSN"),
        landing_dir=Path(landing) if landing else None,
        partner_api_url=opt("PARTNER_API_URL"),
        partner_api_token=opt("PARTNER_API_TOKEN"),
        mz_source_dsn=opt("MZ_SOURCE_DSN"),
        platform_url=opt("PLATFORM_URL"),
        platform_token=opt("PLATFORM_TOKEN"),
        platform_secret=opt("PLATFORM_SECRET"),
    )
