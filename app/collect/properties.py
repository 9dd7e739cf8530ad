"""The active properties and their domains, held in memory so that no request queries the
database.

A background thread reloads it periodically. When the database is unreachable the last set
stays in force: collection keeps accepting for every property it knew.
"""

from __future__ import annotations

import logging
import threading

import psycopg

from parcours import queries

log = logging.getLogger(__name__)


class ActiveProperties:
    def __init__(self, conninfo: str, interval: float) -> None:
        self.conninfo, self.interval = conninfo, interval
        self.domains: dict[str, tuple[str, ...]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="active-properties", daemon=True)

    def __contains__(self, property_id: str) -> bool:
        return property_id in self.domains

    def allows_host(self, property_id: str, host: str) -> bool:
        """The page's host is one of the property's domains or a subdomain of one; a property
        with no domains configured accepts any host."""
        domains = self.domains.get(property_id, ())
        return not domains or any(host == d or host.endswith("." + d) for d in domains)

    def reload(self) -> bool:
        try:
            with psycopg.connect(self.conninfo, connect_timeout=5) as conn:
                rows = conn.execute(queries.load("collect")["active_properties"]).fetchall()
        except psycopg.Error as error:
            log.warning("keeping %d known properties; reload failed: %s", len(self.domains), error)
            return False
        self.domains = {property_id: tuple(domains) for property_id, domains in rows}
        return True

    def start(self) -> None:
        self.reload()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.reload()
