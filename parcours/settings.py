"""One typed settings object, read from the environment (and an optional env file) and
validated at start-up. Every process receives it explicitly; nothing reads the environment
behind its back."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import (
    AliasChoices,
    AwareDatetime,
    Field,
    IPvAnyNetwork,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from parcours import PROJECT_ROOT

Role = Literal["collect", "worker", "web", "analyst"]
ROLE_NAMES: dict[str, str] = {
    "collect": "parcours_collect",
    "worker": "parcours_worker",
    "web": "parcours_web",
    "analyst": "parcours_analyst",
}
LOCAL_CLUSTER_PORT = 54329


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARCOURS_", extra="ignore")

    var_dir: Path = PROJECT_ROOT / "var"
    # The migrating (owner) connection. Each process uses its own role derived from it,
    # unless a role URL below overrides it.
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "PARCOURS_DATABASE_URL"),
    )
    collect_database_url: str = ""
    worker_database_url: str = ""
    web_database_url: str = ""
    # Keys the visitor hash and signs nothing else; required to serve or load events.
    secret_key: SecretStr = SecretStr("")
    rollup_engine: Literal["auto", "continuous", "table"] = "auto"
    cluster_port: int = LOCAL_CLUSTER_PORT
    spool_seal_seconds: float = Field(default=2.0, gt=0)
    spool_segment_bytes: int = Field(default=16 * 1024 * 1024, gt=1024)
    property_reload_seconds: float = Field(default=10.0, gt=0)
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    # Spool lines per worker transaction: bounds memory and what a crash repeats.
    worker_batch_lines: int = Field(default=20_000, ge=1)
    # Secure on cookies: "auto" sets it when public_url is https or a request came over https.
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    # Outgoing mail (password resets). Without a host, reset links go to the log instead.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = True
    smtp_from: str = "Parcours <parcours@localhost>"
    # Whether anyone may create an account at /signup. The first account can always be made
    # (it becomes the admin); after that sign-up is closed unless this opens it, and the CLI
    # adds users (`parcours user add`). Open sign-up confirms each address by mail, so it also
    # needs public_url (and SMTP).
    signup_open: bool = False
    # Peers whose X-Forwarded-For collect believes (the reverse proxy), as addresses or networks.
    trusted_proxies: list[IPvAnyNetwork] = []
    # The URL the tracker posts to and the CLI prints; empty means "as the request came in".
    public_url: str = ""
    # Where collect's routes live: "" serves /metrics and /js/<id>.js, "/p" serves /p/metrics...
    collect_prefix: str = Field(default="", pattern=r"^(/[A-Za-z0-9._~-]+)*$")
    # Per client IP and collect process: sustained beacons per second, and the burst allowed
    # above it (a school or an office shares one address). 0 turns the limit off.
    collect_rate_per_ip: float = Field(default=50.0, ge=0)
    collect_burst_per_ip: int = Field(default=500, ge=1)
    # A MaxMind-format City or Country database (DB-IP Lite, GeoLite2); without one, locations
    # are unknown. Defaults to <var_dir>/geoip.mmdb when that file exists.
    geoip_database: Path | None = None
    # Raw events serve visitor timelines and replays; reports read sessions, page views and
    # rollups, kept longer (parcours/retention.py refuses raw retention within refresh reach).
    raw_retention_days: int = Field(default=180, ge=1)
    rollup_retention_days: int = Field(default=3650, ge=1)
    # Operational counters in Prometheus text format, each process on its own internal address
    # (host:port; empty turns it off). Keep them off the public interface: the playbook's
    # nginx never routes to them.
    serve_metrics_address: str = Field(default="127.0.0.1:9464", pattern=r"^(\[?[0-9A-Za-z.:-]+\]?:\d{1,5})?$")
    worker_metrics_address: str = Field(default="127.0.0.1:9465", pattern=r"^(\[?[0-9A-Za-z.:-]+\]?:\d{1,5})?$")
    # `parcours doctor` calls the worker lagging when the oldest waiting segment is older than
    # this, and the GeoIP database stale past this many days (DB-IP publishes monthly).
    doctor_max_lag_seconds: float = Field(default=300, gt=0)
    doctor_max_geoip_age_days: int = Field(default=45, ge=1)
    # The instant reports take as now ("today", "the last five minutes"); empty means the system
    # clock. Set for tests, and to reproduce a report as it looked at a moment.
    clock: AwareDatetime | None = None
    # Staged events; defaults to <var_dir>/spool.
    spool_dir: Path = Field(default=None, validate_default=False)  # type: ignore[assignment]

    def now(self) -> datetime:
        """Now, for everything a report decides by the date: the one place that reads the clock."""
        return self.clock or datetime.now(timezone.utc)

    @property
    def display_url(self) -> str:
        return self.public_url or "http://127.0.0.1:8000"

    @field_validator("database_url", "collect_database_url", "worker_database_url", "web_database_url")
    @classmethod
    def _parses(cls, value: str) -> str:
        if value:
            try:
                conninfo_to_dict(value)
            except psycopg.Error as error:
                raise ValueError(f"not a PostgreSQL connection URL: {error}") from None
        return value

    @property
    def geoip_path(self) -> Path:
        return self.geoip_database or self.var_dir / "geoip.mmdb"

    @model_validator(mode="after")
    def _retention_outlasts_refresh(self) -> Settings:
        from parcours import retention

        retention.check(self.raw_retention_days, self.rollup_retention_days)
        return self

    @model_validator(mode="after")
    def _default_spool_dir(self) -> Settings:
        if self.spool_dir is None:
            self.spool_dir = self.var_dir / "spool"
        return self

    @property
    def cluster_home(self) -> Path:
        """Where the local cluster lives: var/ itself, unless root runs it (as the postgres
        user) from a checkout that user cannot reach, such as one under /root; then a
        directory of this checkout's own under /var/lib/parcours."""
        var = self.var_dir.resolve()
        if os.geteuid() != 0 or _others_can_reach(var):
            return var
        digest = hashlib.sha256(str(var).encode()).hexdigest()[:12]
        return Path("/var/lib/parcours/clusters") / digest

    @property
    def cluster_dir(self) -> Path:
        return self.cluster_home / "pg"

    @property
    def socket_dir(self) -> Path:
        return self.cluster_home / "run"

    def admin_conninfo(self, dbname: str | None = None) -> str:
        base = self.database_url or make_conninfo(
            host=str(self.socket_dir), port=self.cluster_port, user="postgres", dbname="parcours"
        )
        return make_conninfo(base, dbname=dbname) if dbname else make_conninfo(base)

    def role_conninfo(self, role: Role) -> str:
        explicit = getattr(self, f"{role}_database_url", "")
        if explicit:
            return make_conninfo(explicit)
        return make_conninfo(self.admin_conninfo(), user=ROLE_NAMES[role], password="")

    def require_secret(self) -> str:
        key = self.secret_key.get_secret_value()
        if len(key) < 32:
            raise ValueError("PARCOURS_SECRET_KEY must be set to at least 32 characters")
        return key


def _others_can_reach(path: Path) -> bool:
    """Every existing ancestor of `path` grants search permission to other users."""
    return all(p.stat().st_mode & 0o001 for p in (path, *path.parents) if p.exists())


def load_settings(env_file: Path | None = None) -> Settings:
    """Settings from the environment, then from `env_file` (the local install's var/parcours.env)."""
    path = env_file or PROJECT_ROOT / "var" / "parcours.env"
    return Settings(_env_file=path if path.exists() else None)
