"""Email reports: a site's summary mailed to each member of its team who asks for it, weekly
(on Monday, for the week Monday to Sunday before) and monthly (on the 1st, for the month before),
at 08:00 in the site's zone (sql/migrations/0010_email_reports.sql).

`parcours reports send` sends what is due; a systemd timer runs it every ten minutes. A report
goes out once per period, and only when the provider took it, so a mail outage delays it to the
next run rather than losing it. The figures are the API's for the same dates with `compare=true`
(app/reports), so the mail and the dashboard never disagree. Each mail carries a one-click
unsubscribe link (RFC 8058) that needs no login: its random token is the credential.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import psycopg
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.accounts import mail
from app.dashboard import humane
from app.reports import goals, periods, stats
from app.web import Web, make_templates
from parcours import queries
from parcours.errors import ParcoursError
from parcours.settings import Settings

KINDS = {"week": "Weekly", "month": "Monthly"}
SEND_AT = time(8)
TOP = 5


def _start(kind: str, day: date) -> date:
    """The first day of the week (Monday) or month holding `day`."""
    return day - timedelta(days=day.weekday()) if kind == "week" else day.replace(day=1)


def reported(kind: str, time_zone: str, now: datetime) -> tuple[date, date]:
    """The last period whose report is due at `now`: the one before the latest Monday (or 1st)
    whose 08:00, local time, has passed. Its first and last local days."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    boundary = _start(kind, local.date())
    if local < datetime.combine(boundary, SEND_AT, zone):
        boundary = _start(kind, boundary - timedelta(days=1))
    return _start(kind, boundary - timedelta(days=1)), boundary - timedelta(days=1)


def chosen(conn: psycopg.Connection, property_id: str, user_id: int) -> set[str]:
    rows = conn.execute(queries.load("accounts")["email_reports_of"], {"property_id": property_id, "user_id": user_id})
    return {kind for (kind,) in rows}


def choose(conn: psycopg.Connection, site: dict, user_id: int, kinds: set[str], now: datetime) -> None:
    """Subscribes the user to `kinds` and from the others. A new report starts with the next
    period: the one already due counts as sent."""
    q = queries.load("accounts")
    if unknown := sorted(kinds - set(KINDS)):
        raise ParcoursError(f"unknown report {unknown[0][:20]!r}; choose among {', '.join(KINDS)}")
    with conn.transaction():
        conn.execute(q["unsubscribe_email_reports"], {"property_id": site["id"], "user_id": user_id, "kinds": list(kinds)})
        for kind in kinds:
            conn.execute(q["subscribe_email_report"], {
                "property_id": site["id"], "user_id": user_id, "kind": kind, "token": secrets.token_urlsafe(32),
                "sent_for": reported(kind, site["time_zone"], now)[0]})


def send_due(conn: psycopg.Connection, settings: Settings, now: datetime) -> int:
    """Mails every report due at `now`; how many the provider took. A site's figures for a
    period are computed once, however many members receive them."""
    sent, computed = 0, {}
    for row in conn.execute(queries.load("accounts")["email_reports"]).fetchall():
        report = dict(zip(("property_id", "user_id", "kind", "token", "sent_for", "site", "time_zone", "email"), row,
                          strict=True))
        first, last = reported(report["kind"], report["time_zone"], now)
        if first <= report["sent_for"]:
            continue
        key = (report["property_id"], first, last)
        if key not in computed:
            computed[key] = summary(conn, report, periods.custom(report["time_zone"], first, last))
        if _send(settings, report, computed[key], first, last):
            conn.execute(queries.load("accounts")["email_report_sent"], {**report, "sent_for": first})
            sent += 1
    return sent


def _send(settings: Settings, report: dict, figures: dict, first: date, last: date) -> bool:
    links = {"dashboard": mail.link(settings, f"/properties/{report['property_id']}?" + urlencode(
                 {"period": "custom", "from": first.isoformat(), "to": last.isoformat(), "compare": 1})),
             "unsubscribe": mail.link(settings, f"/email-reports/unsubscribe/{report['token']}")}
    context = {**figures, **links, "report": report, "kind": KINDS[report["kind"]], "humane": humane}
    subject = f"{KINDS[report['kind']]} report of {report['site']}: {_dates(first, last)}"
    return mail.send(settings, report["email"], subject, text(context), html(context),
                     {"List-Unsubscribe": f"<{links['unsubscribe']}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def summary(conn: psycopg.Connection, report: dict, period: periods.Period) -> dict:
    """What a report shows, as the API gives it for the same period with `compare=true`."""
    query = stats.Query(report["property_id"], period)
    defined = goals.defined(conn, report["user_id"], report["property_id"])
    return {"period": period, "previous": period.previous(), "summary": stats.compared(conn, query),
            "pages": stats.breakdown(conn, query, "page", TOP), "sources": stats.breakdown(conn, query, "source", TOP),
            "goals": goals.report(conn, query, defined)}


def _dates(first: date, last: date) -> str:
    return f"{first:%-d %b} – {last:%-d %b %Y}"


METRICS = (("visitors", "Visitors", "{:,}"), ("page_views", "Page views", "{:,}"),
           ("bounce_rate", "Bounce rate", "{:g} %"), ("session_duration", "Visit duration", "duration"))


def shown(value, form: str) -> str:
    if value is None:
        return "–"
    return humane.duration(value) if form == "duration" else form.format(value)


def source(value: str | None) -> str:
    """A source as the dashboard names it: none for direct visits."""
    return "(none)" if value is None else value


def text(context: dict) -> str:
    """The plain-text part."""
    figures, period, previous = context["summary"], context["period"], context["previous"]
    lines = [f"{context['kind']} report of {context['report']['site']}, {_dates(period.first, period.last)}",
             f"(in {period.time_zone}; changes against {_dates(previous.first, previous.last)})", ""]
    lines += [f"{label:<16}{shown(figures[key], form):>12}  {humane.change(figures['change'][key])}"
              for key, label, form in METRICS]
    lines += ["", "Top pages"] + [f"  {row['page_views']:>8,}  {row['value']}" for row in context["pages"]]
    lines += ["", "Top sources"] + [f"  {row['sessions']:>8,}  {source(row['value'])}" for row in context["sources"]]
    if context["goals"]:
        lines += ["", "Goals"] + [f"  {row['visitors']:>8,}  {row['goal']} ({shown(row['conversion_rate'], '{:g} %')})"
                                  for row in context["goals"]]
    lines += ["", f"The dashboard: {context['dashboard']}", "",
              f"Stop this report (one click, no login): {context['unsubscribe']}", ""]
    return "\n".join(lines)


def html(context: dict) -> str:
    return make_templates().env.get_template("email_report.html").render(
        **context, dates=_dates, metrics=METRICS, shown=shown, source=source)


def router(web: Web) -> APIRouter:
    """The Team page's choice of reports, and the mailed unsubscribe link."""
    routes = APIRouter()
    q = queries.load("accounts")

    @routes.post("/properties/{property_id}/email-reports")
    def choose_reports(request: Request, property_id: str, kinds: list[str] = Form([]), csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "viewer")
        try:
            with web.pool.connection() as conn:
                choose(conn, site, user["id"], set(kinds), web.settings.now())
        except ParcoursError as error:
            raise HTTPException(422, str(error)) from None
        return RedirectResponse(f"/properties/{property_id}/members", status_code=303)

    @routes.get("/email-reports/unsubscribe/{token}")
    def unsubscribe_page(request: Request, token: str):
        with web.pool.connection() as conn:
            found = conn.execute(q["email_report_by_token"], {"token": token}).fetchone()
        context = {"token": token, "found": found and {"kind": KINDS[found[0]], "site": found[1], "email": found[2]},
                   "done": False}
        return web.render(request, "unsubscribe.html", context, status=200 if found else 410)

    @routes.post("/email-reports/unsubscribe/{token}")
    def unsubscribe(request: Request, token: str):
        # No CSRF token: a mail client posts here itself (RFC 8058), and the link's token is the
        # only credential; a forged post can do no more than the link's holder.
        with web.pool.connection() as conn:
            gone = conn.execute(q["unsubscribe_by_token"], {"token": token}).fetchone()
        return web.render(request, "unsubscribe.html", {"token": token, "found": None, "done": gone is not None},
                          status=200 if gone else 410)

    return routes
