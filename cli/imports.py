"""`parcours import`: history from outside into a site, through the worker (worker/imports.py),
with a progress line while it reads and loads, and a summary of every line at the end."""

from __future__ import annotations

import sys
import time
import zipfile
from pathlib import Path

import psycopg
import typer

from cli import sites
from parcours import queries
from parcours.errors import ParcoursError
from parcours.settings import Settings

import_app = typer.Typer(no_args_is_help=True, help="""
Import history from elsewhere into a site.

Examples:

\b
  parcours import logs --site k3x9q2m7ab /var/log/nginx/access.log*     # plain or .gz, any order
  parcours import logs --site k3x9q2m7ab --dry-run access.log           # count; write nothing
  parcours import logs --site k3x9q2m7ab --format '$remote_addr [$time_iso8601] "$request" $status "$http_user_agent"' app.log
  parcours import logs --site k3x9q2m7ab --status 200-299 --status 304 --method GET --method HEAD access.log
  parcours import goatcounter --site k3x9q2m7ab goatcounter-export.csv.gz  # GoatCounter's CSV export
  parcours import plausible --site k3x9q2m7ab plausible-export.zip      # Plausible CE's CSV export
  parcours import plausible --site k3x9q2m7ab --dry-run imported_*.csv  # the export's files, unzipped
  parcours import list --site k3x9q2m7ab
  parcours import delete --site k3x9q2m7ab 12                           # a Plausible import, by its id
  parcours import archive --owner owner@example.com blog.zip             # from parcours export --archive
""")


class ProgressLine:
    """Rate and time left on one line of stderr, redrawn at most twice a second (a line every
    ten seconds when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.stage, self.started, self.shown = "", time.monotonic(), 0.0
        self.terminal = sys.stderr.isatty()

    def show(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.started = stage, now
        if now - self.shown < (0.5 if self.terminal else 10):
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-6)
        left = f", {(total - done) / rate:,.0f} s left" if rate and total > done else ""
        share = f" {100 * done / total:.0f} %" if total else ""
        start = "\r" if self.terminal else ""
        typer.echo(f"{start}{stage}:{share} {done:,}/{total:,} lines, {rate:,.0f}/s{left}  ", err=True,
                   nl=not self.terminal)

    def close(self) -> None:
        if self.terminal and self.shown:
            typer.echo("", err=True)


def statuses(values: list[str]) -> frozenset[int]:
    """200, 304 or ranges such as 200-299."""
    found = set()
    for value in values:
        low, _, high = value.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise typer.BadParameter(f"{value!r} is not a status or a range such as 200-299")
        found |= set(range(int(low), int(high or low) + 1))
    return frozenset(found)


@import_app.command("logs")
def logs(ctx: typer.Context,
         files: list[Path] = typer.Argument(..., help="Access logs, plain or gzip, in any order."),
         site: str = typer.Option(..., help="The site's id (parcours property list)."),
         log_format: str = typer.Option("combined", "--format",
                                        help="combined (nginx's default, Apache's combined), common, or an nginx log_format string."),
         url: str = typer.Option("", help="Scheme and host of the pages (default: https:// and the site's first domain)."),
         method: list[str] = typer.Option(["GET"], help="Methods that count as a page view (repeat for more)."),
         status: list[str] = typer.Option(["200-299", "304"], help="Statuses that count (repeat; ranges allowed)."),
         include_static: bool = typer.Option(False, help="Count requests for assets (.css, .js, images, fonts…) too."),
         forwarded_for: bool = typer.Option(False, help="Take the client from $http_x_forwarded_for when logged."),
         dry_run: bool = typer.Option(False, help="Read and count everything; import nothing.")):
    """Import page views from nginx or Apache access logs. Each request for a page becomes a
    page view, with visitor ids, bots, sources and sessions made as for live traffic; a file
    imported before adds nothing. Logs have no engagement, scroll or screen size.

    \b
    Examples:
      parcours import logs --site k3x9q2m7ab /var/log/nginx/access.log /var/log/nginx/access.log.*.gz
      parcours import logs --site k3x9q2m7ab --dry-run --url https://www.example.com access.log
    """
    from worker import access_logs, imports, open_days

    def run(conn: psycopg.Connection, row: tuple, progress: ProgressLine) -> list:
        options = access_logs.Options(_base_url(row, url), frozenset(m.upper() for m in method), statuses(status),
                                      include_static, forwarded_for, open_days.of_site(conn, site, row[3]))
        return imports.import_logs(ctx.obj, conn, site, files, log_format, options, dry_run, progress.show)
    _run_import(ctx.obj, site, "logs", run, dry_run, "lines", "page views")


@import_app.command("goatcounter")
def goatcounter_command(ctx: typer.Context,
                        files: list[Path] = typer.Argument(..., help="GoatCounter CSV exports, plain or gzip, in any order."),
                        site: str = typer.Option(..., help="The site's id (parcours property list)."),
                        url: str = typer.Option("", help="Scheme and host of the pages (default: https:// and the site's first domain)."),
                        dry_run: bool = typer.Option(False, help="Read and count everything; import nothing.")):
    """Import page views and events from GoatCounter's CSV export (its Export page, format
    version 2). Each GoatCounter session is a visitor; sessions, sources, countries, browsers,
    systems and devices are made as for live traffic; rows GoatCounter marked as bots are
    skipped. A file imported before adds nothing. GoatCounter has no engagement or scroll.

    \b
    Examples:
      parcours import goatcounter --site k3x9q2m7ab goatcounter-export-2026-11-30.csv.gz
      parcours import goatcounter --site k3x9q2m7ab --dry-run --url https://www.example.com export.csv
    """
    from worker import goatcounter, imports, open_days

    def run(conn: psycopg.Connection, row: tuple, progress: ProgressLine) -> list:
        target = goatcounter.Site(_base_url(row, url), open_days.of_site(conn, site, row[3]))
        return imports.import_goatcounter(ctx.obj, conn, site, files, target, dry_run, progress.show)
    _run_import(ctx.obj, site, "goatcounter", run, dry_run, "rows", "page views and events")


def _run_import(settings: Settings, site: str, source: str, run, dry_run: bool, read: str, taken: str) -> None:
    """Runs `run(conn, site's row, progress)`, which imports files and returns what happened to
    each, records the imports and prints a summary of each file; a one-line error otherwise."""
    from worker import access_logs

    progress = ProgressLine()
    try:
        with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
            done = run(conn, sites.named(conn, site), progress)
            _record(conn, site, source, done, dry_run)
    except (ParcoursError, access_logs.FormatError) as error:
        progress.close()
        typer.echo(f"parcours: {error}", err=True)
        raise typer.Exit(1) from None
    except PermissionError as error:
        progress.close()
        typer.echo(f"parcours: {error.strerror}: {error.filename} (run the import as the worker's user)", err=True)
        raise typer.Exit(1) from None
    progress.close()
    for found in done:
        typer.echo(_summary(found, dry_run, read, taken))


def _base_url(row: tuple, url: str) -> str:
    """--url, else https:// and the first domain of the site (cli/sites.py's row)."""
    if url:
        return url.rstrip("/")
    if not row[2]:
        raise ParcoursError(f"the site {row[1]!r} has no domain: say where its pages are with --url https://HOST")
    return f"https://{row[2][0]}"


def _record(conn: psycopg.Connection, site: str, source: str, done: list, dry_run: bool) -> None:
    """Notes the imported ranges, for the dashboard to say their page views have no engagement."""
    for found in done:
        if not dry_run and not found.already and found.loaded:
            conn.execute(queries.load("accounts")["add_import"], {
                "property_id": site, "source": source, "name": found.path.name, "first_at": found.tally.first,
                "last_at": found.tally.last, "events": found.loaded})


def _summary(found, dry_run: bool, read: str, taken: str) -> str:
    if found.already:
        return f"{found.path}: imported before; nothing added"
    tally = found.tally
    lines = [f"{found.path}: {tally.lines:,} {read} read, {tally.events:,} {taken} "
             f"({tally.bots:,} by bots){f' from {tally.first:%Y-%m-%d %H:%M} to {tally.last:%Y-%m-%d %H:%M} UTC' if tally.first else ''}"]
    if tally.skipped:
        lines.append("  skipped: " + ", ".join(f"{count:,} {reason}" for reason, count in sorted(tally.skipped.items())))
    if tally.malformed_lines:
        lines.append("  unreadable lines: " + ", ".join(map(str, tally.malformed_lines))
                     + (" …" if sum(tally.skipped.get(r, 0) for r in ("malformed", "unloadable")) > len(tally.malformed_lines) else ""))
    lines.append("  dry run: nothing imported" if dry_run else f"  imported {found.loaded:,} events")
    return "\n".join(lines)


@import_app.command("archive")
def archive_command(ctx: typer.Context, source: Path = typer.Argument(..., help="A zip from parcours export --archive."),
                    owner: str = typer.Option(..., help="The email of the account that will own the site."),
                    site: str = typer.Option("", help="The new site's id (default: the archive's, if free).")):
    """Import a site's archive from another Parcours as a new site: settings, goals, funnels,
    notes and every row, with the rollups recomputed here.

    \b
    Examples:
      parcours import archive --owner owner@example.com blog.zip
    """
    from app.accounts import users
    from app.accounts import archive

    settings: Settings = ctx.obj
    if not source.is_file():
        typer.echo(f"parcours: no such file: {source}", err=True)
        raise typer.Exit(1)
    try:
        with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
            new_id = archive.load(conn, source, users.id_for(conn, owner), site or None)
    except (ParcoursError, zipfile.BadZipFile) as error:
        typer.echo(f"parcours: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"imported {source} as site {new_id}")


@import_app.command("plausible")
def plausible_command(ctx: typer.Context,
                      files: list[Path] = typer.Argument(..., help="The export's zip, or its CSV files."),
                      site: str = typer.Option(..., help="The site's id (parcours property list)."),
                      dry_run: bool = typer.Option(False, help="Read and count everything; import nothing.")):
    """Import Plausible CE's CSV export (Site settings → Imports & Exports): daily visitors,
    sources, pages, entry and exit pages, countries, devices, browsers and systems, shown with
    the site's own numbers in its reports and marked as imported. Only days before the site's
    first own data are taken, each once; the same export imported twice adds nothing.

    \b
    Examples:
      parcours import plausible --site k3x9q2m7ab plausible-export.zip
      parcours import plausible --site k3x9q2m7ab --dry-run plausible-export.zip
    """
    from worker import plausible

    settings: Settings = ctx.obj
    with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        time_zone = sites.named(conn, site)[3]
        tally = plausible.load(conn, site, time_zone, plausible.open_export(files), dry_run)
    typer.echo(_plausible_summary(tally, dry_run))


def _plausible_summary(tally, dry_run: bool) -> str:
    if tally.already:
        return "this export was imported into the site before; nothing added"
    lines = [f"{tally.days:,} days, {tally.page_views:,} page views"
             + (f" from {tally.first} to {tally.last}" if tally.first else "")]
    lines += [f"  {table}: {count:,} rows" for table, count in sorted(tally.rows.items())]
    if tally.skipped:
        lines.append("  skipped: " + ", ".join(f"{count:,} {reason}" for reason, count in sorted(tally.skipped.items())))
    lines += [f"  unreadable: {where}" for where in tally.malformed]
    if tally.ignored:
        lines.append("  not read: " + ", ".join(tally.ignored))
    if not tally.page_views:
        lines.append("  nothing to import: no day with page views that comes before the site's own data and was not imported before")
    else:
        lines.append("  dry run: nothing imported" if dry_run else "  imported")
    return "\n".join(lines)


@import_app.command("list")
def list_command(ctx: typer.Context, site: str = typer.Option(..., help="The site's id.")):
    """A site's imports: id, source, file, the span it covers and its page views.

    \b
    Examples:
      parcours import list --site k3x9q2m7ab
    """
    settings: Settings = ctx.obj
    with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        sites.named(conn, site)
        found = conn.execute(queries.load("imports")["imports"], {"property_id": site}).fetchall()
    for id_, source, name, first_at, last_at, events, created_at in found:
        typer.echo(f"{id_}\t{source}\t{name}\t{first_at:%Y-%m-%d %H:%M} to {last_at:%Y-%m-%d %H:%M} UTC"
                   f"\t{events:,} page views\timported {created_at:%Y-%m-%d}")


@import_app.command("delete")
def delete_command(ctx: typer.Context, import_id: int = typer.Argument(..., help="The import's id (parcours import list)."),
                   site: str = typer.Option(..., help="The site's id.")):
    """Delete a Plausible import and every day it brought. (Page views imported from access
    logs are the site's own events: delete those with the site's retention, not here.)

    \b
    Examples:
      parcours import delete --site k3x9q2m7ab 12
    """
    settings: Settings = ctx.obj
    with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        sites.named(conn, site)
        deleted = conn.execute(queries.load("imports")["delete_import"], {"property_id": site, "id": import_id}).fetchone()
    if deleted is None:
        raise ParcoursError(f"site {site} has no Plausible import {import_id}; see parcours import list --site {site}")
    typer.echo(f"deleted import {import_id}")
