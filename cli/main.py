"""The `parcours` command: everything an operator does, with examples first in every help."""

from __future__ import annotations

import getpass
import logging
import secrets
import sys
from pathlib import Path
from typing import Optional

import psycopg
import pydantic
import typer

from cli import cluster, doctor, exposure, imports, visitors
from parcours import engines, migrations, queries
from parcours.errors import ParcoursError
from parcours.settings import Settings, load_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None, help="""
Parcours: self-hosted web analytics.

Examples:

\b
  parcours db up && parcours db migrate     # local database under var/, schema up to date
  parcours demo                             # demo user and property with a week of traffic
  parcours serve --port 8000                # the web app (collect, dashboard)
  parcours worker                           # load the spool into the database, forever
  parcours replay var/spool/archive/*.gz    # reload archived segments (already loaded: skipped)
  parcours doctor                           # health: exits 1 when something is wrong
  parcours user list                        # users; also add, password, disable, enable
  parcours property list                    # sites; also add, edit, delete
  parcours export SITE --from 2026-11-01 --to 2026-11-30 --what sessions --format ndjson
  parcours import logs --site SITE /var/log/nginx/access.log*   # history from access logs
  parcours visitor delete --site SITE KEY                        # erase a visitor, on request
  parcours backup && parcours restore FILE --database parcours_restored
""")
db_app = typer.Typer(no_args_is_help=True, help="""
The database.

Examples:

\b
  parcours db up         # create and start the local cluster in var/pg (no effect if running)
  parcours db migrate    # apply pending migrations from sql/
  parcours db retention  # drop expired chunks (Apache-2) or set retention policies (Community)
  parcours db schema > docs/schema.txt    # refresh the readable schema after a migration
  parcours db down       # stop the local cluster
""")
user_app = typer.Typer(no_args_is_help=True, help="""
Users.

Examples:

\b
  parcours user add owner@example.com              # prompts for the password
  PARCOURS_PASSWORD=... parcours user add a@b.org  # non-interactive
  parcours user list
  parcours user password owner@example.com         # a new password; logs them out everywhere
  parcours user disable owner@example.com          # no login, no API; their sites keep collecting
  parcours user enable owner@example.com
  parcours user reset-2fa owner@example.com        # lost phone and recovery codes: 2FA off
""")
property_app = typer.Typer(no_args_is_help=True, help="""
Properties (tracked sites).

Examples:

\b
  parcours property add "My blog" --owner owner@example.com --domain blog.example.com --time-zone Europe/Paris
  parcours property list
  parcours property edit k3x9q2m7ab --time-zone America/Vancouver --retention-days 365
  parcours property edit k3x9q2m7ab --domain blog.example.com --domain www.blog.example.com
  parcours property delete k3x9q2m7ab               # asks for the name; --yes does not
""")
apikey_app = typer.Typer(no_args_is_help=True, help="""
API keys for the JSON stats API (docs/api.md). A key is printed once, when created.

Examples:

\b
  parcours apikey create --user owner@example.com "Grafana"
  parcours apikey list --user owner@example.com
  parcours apikey revoke --user owner@example.com 3
""")
reports_app = typer.Typer(no_args_is_help=True, help="""
Email reports: each site's weekly (Monday) and monthly (1st) summary, at 08:00 in its zone, to
the members of its team who asked for one on its Team page.

Examples:

\b
  parcours reports send                      # mail what is due now; run it every few minutes
  PARCOURS_CLOCK=2026-11-30T02:15Z parcours reports send   # as if it were then
""")
app.add_typer(db_app, name="db")
app.add_typer(reports_app, name="reports")
app.add_typer(imports.import_app, name="import")
app.add_typer(visitors.visitor_app, name="visitor")
app.add_typer(apikey_app, name="apikey")
app.add_typer(user_app, name="user")
app.add_typer(property_app, name="property")


@app.callback()
def _settings(ctx: typer.Context,
              env_file: Optional[Path] = typer.Option(None, help="Settings file (default: var/parcours.env if present).")):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = load_settings(env_file)
    ctx.meta["env_file"] = env_file


def _property(conn: psycopg.Connection, property_id: str) -> tuple:
    """Any property, for the operator: (owner_id, name, domains, time_zone, visitor_id_rotation,
    ip_handling, retention_days)."""
    row = conn.execute(queries.load("accounts")["property_by_id"], {"id": property_id}).fetchone()
    if row is None:
        raise ParcoursError(f"no property {property_id}; see parcours property list")
    return row


def _admin(settings: Settings) -> psycopg.Connection:
    return psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5)


@db_app.command("up")
def db_up(ctx: typer.Context):
    """Create (first run) and start the local cluster; write var/parcours.env (a new secret key,
    the local public URL) if missing."""
    settings: Settings = ctx.obj
    typer.echo(f"local cluster: {cluster.up(settings)}")
    env_file = settings.var_dir / "parcours.env"
    if not env_file.exists():
        env_file.write_text(f"PARCOURS_SECRET_KEY={secrets.token_urlsafe(48)}\n"
                            "# Where `parcours serve` listens by default; mail links point here.\n"
                            "PARCOURS_PUBLIC_URL=http://127.0.0.1:8000\n")
        env_file.chmod(0o600)
        typer.echo(f"wrote a new secret key to {env_file}")


@db_app.command("down")
def db_down(ctx: typer.Context):
    """Stop the local cluster; other clusters on the machine are never touched."""
    typer.echo(f"local cluster: {cluster.down(ctx.obj)}")


@db_app.command("migrate")
def db_migrate(ctx: typer.Context):
    """Apply pending migrations; refuses if an applied migration was edited."""
    settings: Settings = ctx.obj
    with _admin(settings) as conn:
        applied = migrations.migrate(conn, settings.rollup_engine)
        typer.echo("\n".join(f"applied {name}" for name in applied) or "nothing to apply")
        if engines.of(conn).runs_retention:  # the policies follow the settings
            _retention(conn, settings)


@db_app.command("retention")
def db_retention(ctx: typer.Context):
    """Apply the retention settings: set the policies (Community edition) or drop the chunks
    that have expired (Apache-2 edition: run it daily)."""
    with _admin(ctx.obj) as conn:
        _retention(conn, ctx.obj)


def _retention(conn: psycopg.Connection, settings: Settings) -> None:
    from parcours import retention

    for line in retention.apply(conn, engines.of(conn), settings.raw_retention_days, settings.rollup_retention_days):
        typer.echo(line)


@db_app.command("schema")
def db_schema(ctx: typer.Context):
    """Print the readable schema of the migrated database (what docs/schema.txt holds)."""
    from parcours import schema

    with _admin(ctx.obj) as conn:
        typer.echo(schema.describe(conn), nl=False)


@reports_app.command("send")
def reports_send(ctx: typer.Context):
    """Mail every report that is due and not sent yet (each period once; a report the mail
    provider refused is tried again on the next run)."""
    from app.accounts import email_reports

    settings: Settings = ctx.obj
    if not settings.smtp_host or not settings.public_url:
        _fail("email reports need PARCOURS_SMTP_HOST and PARCOURS_PUBLIC_URL (their links): nothing sent")
    with psycopg.connect(settings.role_conninfo("web"), autocommit=True, connect_timeout=5) as conn:
        typer.echo(f"sent {email_reports.send_due(conn, settings, settings.now())} email reports")


@app.command("doctor")
def doctor_command(ctx: typer.Context, strict: bool = typer.Option(
        False, "--strict", help="Exit 1 on warnings too (settings that are legal but risky for a public install).")):
    """Versions, TimescaleDB edition, rollup engine, migrations, spool depth and worker lag, the
    GeoIP database's age, and on Community the rollups' refresh job. Exits 1 when something is
    unhealthy: the database unreachable, migrations pending, the worker lagging, the refresh job
    paused, failing or behind, the GeoIP database stale. Also warns about risky web settings:
    no public URL, plain http, no trusted proxy behind TLS, trusting every address, open sign-up.

    \b
    Examples:
      parcours doctor
      parcours doctor --strict       # after an install: warnings fail it too
      parcours doctor || systemctl restart parcours-worker
    """
    rows = doctor.report(ctx.obj)
    for label, value in rows:
        typer.echo(f"{label:<14} {value}")
    found, warned = doctor.problems(ctx.obj, rows), exposure.warnings(ctx.obj)
    for problem in found:
        typer.echo(f"unhealthy: {problem}", err=True)
    for warning in warned:
        typer.echo(f"warning: {warning}", err=True)
    if found or (strict and warned):
        raise typer.Exit(1)


@app.command("serve")
def serve(ctx: typer.Context, host: str = "127.0.0.1", port: int = 8000,
          role: str = typer.Option("all", help="collect: only /metrics and /js/<id>.js; all: everything."),
          workers: int = typer.Option(1, min=1, help="Processes; each has its own spool segment.")):
    """Run the web app: collect endpoint and tracker script, plus accounts and dashboard with --role all.

    \b
    Examples:
      parcours serve                                  # everything on 127.0.0.1:8000
      parcours serve --role collect --port 8001 --workers 2   # collection alone, survives the dashboard
    """
    import os

    import uvicorn

    from app.main import ENV_FILE_VARIABLE, ROLE_VARIABLE, create_app

    if role not in ("collect", "all"):
        raise typer.BadParameter("must be 'collect' or 'all'", param_hint="--role")
    settings: Settings = ctx.obj
    options = {"host": host, "port": port, "proxy_headers": False, "log_level": "info",
               "server_header": False, "access_log": False}
    if workers == 1:
        uvicorn.run(create_app(settings, role), **options)  # type: ignore[arg-type]
    else:
        # Worker processes build their own app from the same environment.
        os.environ[ROLE_VARIABLE] = role
        if ctx.meta.get("env_file"):
            os.environ[ENV_FILE_VARIABLE] = str(ctx.meta["env_file"])
        uvicorn.run("app.main:from_environment", factory=True, workers=workers, **options)


@app.command("worker")
def worker_command(ctx: typer.Context, once: bool = typer.Option(False, "--once", help="Drain the spool and exit.")):
    """Load sealed spool segments into the database (forever, or --once)."""
    from worker import run

    if once:
        _report(run.once(ctx.obj))
    else:
        run.forever(ctx.obj)


def _report(summary) -> None:
    typer.echo(f"loaded {summary.events} events from {summary.segments} segments"
               f" ({summary.quarantined} quarantined, {sum(summary.dropped.values())} dropped)")


@app.command("replay")
def replay_command(ctx: typer.Context, segments: list[Path] = typer.Argument(..., help="Segment files (.jsonl or .jsonl.gz).")):
    """Load spool segments again, e.g. the archive into a rebuilt database. Segments already
    loaded add nothing.

    \b
    Examples:
      parcours replay var/spool/archive/*.jsonl.gz
      parcours replay /backup/spool/archive/00000001764374400000000000-4242.jsonl.gz
    """
    from worker import run

    _report(run.replay(ctx.obj, segments))


geoip_app = typer.Typer(no_args_is_help=True, help="""
The GeoIP database that gives events a country, region and city.

Examples:

\b
  parcours geoip update                      # this month's DB-IP City Lite into var/geoip.mmdb
  parcours geoip update --url https://example.org/GeoLite2-City.mmdb.gz
""")
app.add_typer(geoip_app, name="geoip")


@geoip_app.command("update")
def geoip_update(ctx: typer.Context, url: str = typer.Option("", help="Where to download from (default: DB-IP Lite).")):
    """Download a current free City database and install it where the worker reads it."""
    import urllib.error
    from datetime import date

    from parcours import geo

    settings: Settings = ctx.obj
    source = url or geo.current_dbip_url(date.today())
    try:
        kind = geo.update(source, settings.geoip_path)
    except (urllib.error.URLError, OSError) as error:
        raise ParcoursError(f"cannot download {source}: {getattr(error, 'reason', error)}") from None
    typer.echo(f"installed {kind} from {source} at {settings.geoip_path}")


def _password() -> str:
    import os

    return os.environ.get("PARCOURS_PASSWORD") or getpass.getpass("Password: ")


@user_app.command("add")
def user_add(ctx: typer.Context, email: str):
    """Add a user (the first user becomes the admin)."""
    from app.accounts import users

    with _admin(ctx.obj) as conn:
        users.add(conn, email, _password())
    typer.echo(f"added user {email}")


@user_app.command("list")
def user_list(ctx: typer.Context):
    """Every user: id, email, role, sites, created, and whether disabled."""
    from app.accounts import users

    with _admin(ctx.obj) as conn:
        for user in users.listed(conn):
            state = f"disabled {user['disabled_at']:%Y-%m-%d}" if user["disabled_at"] else "active"
            typer.echo(f"{user['id']}  {user['email']}  {'admin' if user['is_admin'] else 'user'}  "
                       f"{user['properties']} sites  created {user['created_at']:%Y-%m-%d}  {state}")


@user_app.command("password")
def user_password(ctx: typer.Context, email: str):
    """Set a user's password (prompted, or PARCOURS_PASSWORD) and end all their sessions."""
    from app.accounts import users

    with _admin(ctx.obj) as conn, conn.transaction():
        users.set_password(conn, email, _password())
    typer.echo(f"set the password of {email}; their sessions ended")


@user_app.command("disable")
def user_disable(ctx: typer.Context, email: str):
    """Stop a user logging in or using API keys (their sessions end); their sites keep collecting."""
    from app.accounts import users

    with _admin(ctx.obj) as conn:
        users.set_disabled(conn, email, True)
    typer.echo(f"disabled {email}")


@user_app.command("reset-2fa")
def user_reset_two_factor(ctx: typer.Context, email: str):
    """Turn a user's two-factor sign-in off, when they have lost their phone and their recovery
    codes: their recovery codes and remembered browsers go too, and their password alone logs
    them in until they set it up again. Check who is asking first."""
    from app.accounts import two_factor, users

    with _admin(ctx.obj) as conn:
        two_factor.disable(conn, users.id_for(conn, email))
    typer.echo(f"two-factor sign-in is off for {email}; they log in with their password and may set it up again")


@user_app.command("enable")
def user_enable(ctx: typer.Context, email: str):
    """Let a disabled user log in again."""
    from app.accounts import users

    with _admin(ctx.obj) as conn:
        users.set_disabled(conn, email, False)
    typer.echo(f"enabled {email}")


@property_app.command("add")
def property_add(ctx: typer.Context, name: str,
                 owner: str = typer.Option(..., help="Email of the owning user."),
                 domain: list[str] = typer.Option([], help="A domain of the site (repeatable)."),
                 time_zone: str = typer.Option("UTC", help="IANA time zone for days and hours."),
                 visitor_ids: str = typer.Option("never", help="Rotate the visitor-id key: never (visitors "
                                                 "recognised across days) or daily (at local midnight).")):
    """Add a property and print its id and tracking snippet."""
    from app.accounts import properties, users

    settings: Settings = ctx.obj
    with _admin(settings) as conn:
        property_id = properties.add(conn, users.id_for(conn, owner), name, domain, time_zone,
                                     visitor_id_rotation=visitor_ids)
    typer.echo(f"added property {property_id}")
    typer.echo(f'<script defer src="{settings.display_url}{settings.collect_prefix}/js/{property_id}.js"></script>')


@property_app.command("edit")
def property_edit(ctx: typer.Context, property_id: str,
                  name: Optional[str] = typer.Option(None, help="A new name."),
                  domain: Optional[list[str]] = typer.Option(None, help="The site's domains, all of them (repeatable)."),
                  time_zone: Optional[str] = typer.Option(None, help="IANA time zone; reports follow it at once."),
                  visitor_ids: Optional[str] = typer.Option(None, help="never or daily."),
                  ip_handling: Optional[str] = typer.Option(None, help="Locate visitors: city, country or none."),
                  retention_days: Optional[int] = typer.Option(None, help="Keep data this many days; 0: the server's.")):
    """Change a property's settings; those not given stay as they are."""
    from app.accounts import properties

    with _admin(ctx.obj) as conn:
        row = _property(conn, property_id)
        owner, *current = row
        changed = dict(zip(("name", "domains", "time_zone", "visitor_id_rotation", "ip_handling", "retention_days"),
                           current, strict=True))
        given = {"name": name, "domains": domain or None, "time_zone": time_zone, "visitor_id_rotation": visitor_ids,
                 "ip_handling": ip_handling}
        changed.update({key: value for key, value in given.items() if value is not None})
        if retention_days is not None:
            changed["retention_days"] = retention_days or None
        properties.update(conn, owner, property_id, **changed)
    typer.echo(f"updated property {property_id}")


@property_app.command("delete")
def property_delete(ctx: typer.Context, property_id: str,
                    yes: bool = typer.Option(False, "--yes", help="Do not ask for the property's name.")):
    """Delete a property and all its data: events, sessions, page views and rollups."""
    with _admin(ctx.obj) as conn:
        row = _property(conn, property_id)
        if not yes and typer.prompt(f"Type the property's name ({row[1]}) to delete it and all its data") != row[1]:
            raise ParcoursError("the name did not match; nothing was deleted")
        with conn.transaction():
            conn.execute(queries.load("accounts")["delete_property"], {"id": property_id, "owner_id": row[0]})
            conn.execute(queries.load("accounts")["purge_property"], {"id": property_id})
    typer.echo(f"deleted property {property_id} and its data")


@property_app.command("list")
def property_list(ctx: typer.Context):
    """Every property with its owner, time zone and domains."""
    with _admin(ctx.obj) as conn:
        for property_id, name, time_zone, domains, owner in conn.execute(queries.load("accounts")["list_properties"]):
            typer.echo(f"{property_id}  {name}  {time_zone}  {','.join(domains) or '-'}  {owner}")


@apikey_app.command("create")
def apikey_create(ctx: typer.Context, name: str, user: str = typer.Option(..., help="Email of the key's owner.")):
    """Create an API key and print it (it is not stored and cannot be shown again)."""
    from app.accounts import api_keys, users

    with _admin(ctx.obj) as conn:
        typer.echo(api_keys.create(conn, users.id_for(conn, user), name))


@apikey_app.command("list")
def apikey_list(ctx: typer.Context, user: str = typer.Option(..., help="Email of the keys' owner.")):
    """A user's API keys: id, name, prefix, created, last used, revoked."""
    from app.accounts import api_keys, users

    with _admin(ctx.obj) as conn:
        for key_id, name, prefix, created, used, revoked in api_keys.listed(conn, users.id_for(conn, user)):
            state = f"revoked {revoked:%Y-%m-%d}" if revoked else "live"
            last = f"{used:%Y-%m-%d %H:%M}" if used else "never used"
            typer.echo(f"{key_id}  {name}  {prefix}…  created {created:%Y-%m-%d}  {last}  {state}")


@apikey_app.command("revoke")
def apikey_revoke(ctx: typer.Context, key_id: int, user: str = typer.Option(..., help="Email of the key's owner.")):
    """Revoke an API key at once."""
    from app.accounts import api_keys, users

    with _admin(ctx.obj) as conn:
        api_keys.revoke(conn, users.id_for(conn, user), key_id)
    typer.echo(f"revoked API key {key_id}")


@app.command("export")
def export_command(ctx: typer.Context, property_id: str,
                   from_: Optional[str] = typer.Option(None, "--from", help="First local day, YYYY-MM-DD (the property's zone)."),
                   to: Optional[str] = typer.Option(None, help="Last local day, YYYY-MM-DD, included."),
                   what: str = typer.Option("events", help="events (raw, kept for the raw retention) or sessions."),
                   format_: str = typer.Option("csv", "--format", help="csv or ndjson."),
                   output: Optional[Path] = typer.Option(None, help="File to write (default: standard output)."),
                   archive: Optional[Path] = typer.Option(None, help="Write the site's complete archive (a zip) here instead.")):
    """Write a property's raw events or sessions over a range of its local days, or with
    --archive everything of the site, for `parcours import archive` on another Parcours.

    \b
    Examples:
      parcours export k3x9q2m7ab --from 2026-11-01 --to 2026-11-30 > november.csv
      parcours export k3x9q2m7ab --from 2026-01-01 --to 2026-12-31 --what sessions --format ndjson --output 2026.ndjson
      parcours export k3x9q2m7ab --archive blog.zip
    """
    if archive is not None:
        from app.accounts import archive as site_archive

        with _admin(ctx.obj) as conn:
            manifest = site_archive.export(conn, property_id, archive)
        typer.echo(f"wrote {archive}: " + ", ".join(f"{f['rows']} rows of {name}" for name, f in manifest["files"].items()
                                                    if not name.startswith("rollups/")), err=True)
        return
    if from_ is None or to is None:
        raise ParcoursError("say which days with --from and --to, or export everything with --archive FILE.zip")
    _export_range(ctx.obj, property_id, from_, to, what, format_, output)


def _export_range(settings: Settings, property_id: str, from_: str, to: str, what: str, format_: str,
                  output: Optional[Path]) -> None:
    from datetime import date

    from app.reports import periods
    from cli import export

    try:
        first, last = date.fromisoformat(from_), date.fromisoformat(to)
    except ValueError:
        raise ParcoursError(f"--from and --to are dates like 2026-11-01, not {from_!r} and {to!r}") from None
    with _admin(settings) as conn:
        row = _property(conn, property_id)
        period = periods.custom(row[3], first, last)
        sink = output.open("w", newline="") if output else sys.stdout
        try:
            with conn.transaction():
                written = export.write(export.rows(conn, what, property_id, period.lo, period.hi), format_, sink)
        finally:
            if output:
                sink.close()
    typer.echo(f"exported {written} {what} of {property_id} ({first} to {last}, {row[3]})", err=True)


@app.command("backup")
def backup_command(ctx: typer.Context, output: Optional[Path] = typer.Option(None, help="The dump file to write.")):
    """Dump the whole database (pg_dump custom format); print the file's path.

    \b
    Examples:
      parcours backup                                   # var/backups/parcours-<UTC time>.dump
      parcours backup --output /srv/backups/parcours.dump
    """
    from cli import backup

    typer.echo(backup.backup(ctx.obj, output))


@app.command("restore")
def restore_command(ctx: typer.Context, dump: Path, database: str = typer.Option(..., help="A new database to create.")):
    """Restore a dump into a new database on the configured server, then point DATABASE_URL at it.

    \b
    Examples:
      parcours restore var/backups/parcours-20261129T030000Z.dump --database parcours_restored
    """
    from cli import backup

    backup.restore(ctx.obj, dump, database)
    typer.echo(f"restored {dump} into database {database}")


@app.command("demo")
def demo_command(ctx: typer.Context):
    """Create the demo user and property and load a week of sample traffic through the spool and worker."""
    from cli import demo

    for line in demo.run(ctx.obj):
        typer.echo(line)


def main() -> None:
    # Click itself reports usage errors (exit 2); everything else an operator can cause is one line.
    try:
        app()
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        _fail(f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}")
    except (ParcoursError, ValueError) as error:
        _fail(str(error))
    except psycopg.OperationalError as error:
        _fail(f"cannot reach the database: {str(error).strip().splitlines()[-1]}")
    except psycopg.Error as error:
        _fail(f"database error: {error.diag.message_primary or error}")


def _fail(message: str) -> None:
    typer.echo(f"parcours: {message}", err=True)
    sys.exit(1)
