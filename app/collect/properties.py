"""The active properties and their domains, held in memory so that no request queries the
database.

A background thread LISTENs for the notification a trigger on accounts.properties sends on
every change, and reloads at once; it also reloads every `interval` seconds, in case a
notification was missed while it was reconnecting. When the database is unreachable the last
set stays in force: collection keeps accepting for every property it knew.

Each set that differs from the last is also saved to a file (in the spool directory), so a
collect process that starts while the database is down serves the set it last knew rather
than refusing every beacon as an unknown property.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

import psycopg

from parcours import queries

log = logging.getLogger(__name__)
CHANNEL = "parcours_properties"
# How long one wait for a notification lasts, which bounds how late stop() takes effect.
WAKE_SECONDS = 0.5


class ActiveProperties:
    def __init__(self, conninfo: str, interval: float, saved: Path | None = None) -> None:
        self.conninfo, self.interval, self.saved = conninfo, interval, saved
        self.domains: dict[str, tuple[str, ...]] = {}
        self.loaded = False  # once true, stays: collect keeps its last list through outages
        self._stop = threading.Event()

    def __contains__(self, property_id: str) -> bool:
        return property_id in self.domains

    def allows_host(self, property_id: str, host: str) -> bool:
        """The page's host is one of the property's domains or a subdomain of one; a property
        with no domains configured accepts any host."""
        domains = self.domains.get(property_id, ())
        return not domains or any(host == d or host.endswith("." + d) for d in domains)

    def start(self) -> None:
        """Load once before serving (or, if the database is down, take the saved set), then listen."""
        try:
            with psycopg.connect(self.conninfo, connect_timeout=5) as conn:
                self._load(conn)
        except psycopg.Error as error:
            self._restore(error)
        threading.Thread(target=self._run, name="active-properties", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _load(self, conn: psycopg.Connection) -> None:
        rows = conn.execute(queries.load("collect")["active_properties"]).fetchall()
        domains = {property_id: tuple(domains) for property_id, domains in rows}
        if domains != self.domains or not self.loaded:
            self._save(domains)
        self.domains, self.loaded = domains, True

    def _save(self, domains: dict[str, tuple[str, ...]]) -> None:
        if self.saved is None:
            return
        try:
            partial = self.saved.with_name(self.saved.name + ".partial")
            partial.write_text(json.dumps({"properties": domains}))
            os.replace(partial, self.saved)
        except OSError as error:  # the spool's own checks report a bad disk; serving goes on
            log.warning("could not save the known properties to %s: %s", self.saved, error)

    def _restore(self, error: psycopg.Error) -> None:
        try:
            if self.saved is not None and self.saved.exists():
                saved = json.loads(self.saved.read_text())["properties"]
                self.domains = {str(p): tuple(str(d) for d in domains) for p, domains in saved.items()}
                self.loaded = True
                log.warning("database unreachable (%s); serving the %d properties saved in %s",
                            error, len(self.domains), self.saved)
                return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as broken:
            log.warning("the saved properties in %s are unreadable: %s", self.saved, broken)
        log.warning("starting without known properties: %s", error)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    self._listen(conn)
            except psycopg.Error as error:
                log.warning("keeping %d known properties; reload failed: %s", len(self.domains), error)
                self._stop.wait(self.interval)

    def _listen(self, conn: psycopg.Connection) -> None:
        conn.execute(queries.load("collect")["listen"])
        self._load(conn)  # anything that changed before LISTEN took effect
        loaded = time.monotonic()
        while not self._stop.is_set():
            notified = list(conn.notifies(timeout=WAKE_SECONDS, stop_after=1))
            if notified or time.monotonic() - loaded >= self.interval:
                self._load(conn)
                loaded = time.monotonic()
