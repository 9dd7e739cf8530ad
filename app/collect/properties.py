"""The active properties and their domains, held in memory so that no request queries the
database.

A background thread LISTENs for the notification a trigger on accounts.properties sends on
every change, and reloads at once; it also reloads every `interval` seconds, in case a
notification was missed while it was reconnecting. When the database is unreachable the last
set stays in force: collection keeps accepting for every property it knew.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg

from parcours import queries

log = logging.getLogger(__name__)
CHANNEL = "parcours_properties"
# How long one wait for a notification lasts, which bounds how late stop() takes effect.
WAKE_SECONDS = 0.5


class ActiveProperties:
    def __init__(self, conninfo: str, interval: float) -> None:
        self.conninfo, self.interval = conninfo, interval
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
        """Load once before serving (or keep an empty set if the database is down), then listen."""
        try:
            with psycopg.connect(self.conninfo, connect_timeout=5) as conn:
                self._load(conn)
        except psycopg.Error as error:
            log.warning("starting without known properties: %s", error)
        threading.Thread(target=self._run, name="active-properties", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _load(self, conn: psycopg.Connection) -> None:
        rows = conn.execute(queries.load("collect")["active_properties"]).fetchall()
        self.domains = {property_id: tuple(domains) for property_id, domains in rows}
        self.loaded = True

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
