"""`parcours visitor`: a person's data on request. The worker carries out an erasure
(worker/erasure.py); this queues it and, when no worker runs, runs one drain itself."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

import psycopg
import typer

from cli import sites
from parcours import queries
from parcours.errors import ParcoursError
from parcours.settings import Settings

visitor_app = typer.Typer(no_args_is_help=True, help="""
A visitor's data, on request.

Examples:

\b
  parcours visitor delete --site k3x9q2m7ab 3f9a0c2b7d1e4a56        # a key from the visitor list
  parcours visitor delete --site k3x9q2m7ab --ip 198.51.100.7 --user-agent "Mozilla/5.0 (X11; ...)"
""")


@visitor_app.command("delete")
def delete(ctx: typer.Context, keys: list[str] = typer.Argument(None, help="Visitor keys (16 hex digits) from the visitor list."),
           site: str = typer.Option(..., help="The site's id (parcours property list)."),
           ip: str = typer.Option("", help="The person's address, with --user-agent: their id is derived as the worker does."),
           user_agent: str = typer.Option("", help="The person's browser, exactly as it sends it."),
           by: str = typer.Option("operator", help="Who asked, for the audit line.")):
    """Erase a visitor: their events, sessions, page views and archived lines; the reports are
    recomputed as if they had never visited. Waits until the worker has done it.

    \b
    Examples:
      parcours visitor delete --site k3x9q2m7ab 3f9a0c2b7d1e4a56
    """
    from worker import run

    settings: Settings = ctx.obj
    try:
        with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
            ids = _ids(conn, settings, site, keys or [], ip, user_agent)
            request = conn.execute(queries.load("erasure")["request_erasure"],
                                   {"property_id": site, "visitor_ids": ids, "requested_by": by}).fetchone()[0]
            if conn.execute(queries.load("worker")["lock_free"]).fetchone()[0]:
                run.once(settings)
            done = _wait(conn, request)
    except ParcoursError as error:
        typer.echo(f"parcours: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"erased: {done[1]} events, {done[2]} sessions, {done[3]} page views, {done[4]} archived lines")


def _ids(conn, settings: Settings, site: str, keys: list[str], ip: str, user_agent: str) -> list[int]:
    from app.reports import stats
    from worker import erasure

    row = sites.named(conn, site)
    if bool(ip) != bool(user_agent) or bool(ip) == bool(keys):
        raise ParcoursError("name the visitor by their keys, or by --ip and --user-agent together")
    if keys:
        try:
            return [stats.visitor_number(key) for key in keys]
        except ValueError:
            raise ParcoursError(f"a visitor key is 16 hex digits, as the visitor list shows: {keys}") from None
    today = settings.now().astimezone(ZoneInfo(row[3])).date()
    return erasure.visitor_ids(settings.require_secret().encode(), site, ip, user_agent, row[4], today,
                               settings.rollup_retention_days)


def _wait(conn: psycopg.Connection, request: int, seconds: float = 600) -> tuple:
    deadline = time.monotonic() + seconds
    while not (state := conn.execute(queries.load("erasure")["erasure"], {"id": request}).fetchone())[0]:
        if time.monotonic() > deadline:
            raise ParcoursError(f"erasure {request} is queued, but no worker has carried it out yet")
        time.sleep(0.5)
    return state
