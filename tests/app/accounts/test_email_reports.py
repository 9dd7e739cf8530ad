"""Email reports: due at 08:00 in the site's zone on Monday (the week before) and the 1st (the
month before), sent once, received on a local SMTP server with figures equal to the API's for the
same dates, in a +05:45 zone and over a DST change; unsubscribed with one click and no login."""

import re
from datetime import date, datetime, timezone

import httpx
import pytest

from app.accounts import api_keys, email_reports
from app.dashboard import humane
from app.main import create_app

PUBLIC = "http://analytics.example.org"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("kind, zone, now, period", [
    # Kathmandu is UTC+05:45: Monday 08:00 there is 02:15 UTC.
    ("week", "Asia/Kathmandu", "2026-11-30T02:14", ("2026-11-16", "2026-11-22")),
    ("week", "Asia/Kathmandu", "2026-11-30T02:15", ("2026-11-23", "2026-11-29")),
    ("week", "Asia/Kathmandu", "2026-12-03T12:00", ("2026-11-23", "2026-11-29")),
    ("month", "Asia/Kathmandu", "2026-12-01T02:14", ("2026-10-01", "2026-10-31")),
    ("month", "Asia/Kathmandu", "2026-12-01T02:15", ("2026-11-01", "2026-11-30")),
    # Berlin leaves summer time on Sunday 25 October: Monday 08:00 is 07:00 UTC again.
    ("week", "Europe/Berlin", "2026-10-26T06:59", ("2026-10-12", "2026-10-18")),
    ("week", "Europe/Berlin", "2026-10-26T07:00", ("2026-10-19", "2026-10-25")),
    # ...and enters it on Sunday 29 March: the next Monday's 08:00 is 06:00 UTC.
    ("week", "Europe/Berlin", "2026-03-30T06:00", ("2026-03-23", "2026-03-29")),
    ("month", "Pacific/Kiritimati", "2026-12-31T18:00", ("2026-12-01", "2026-12-31")),  # UTC+14: already January 1st
    ("month", "America/Adak", "2027-01-01T17:59", ("2026-11-01", "2026-11-30")),  # UTC−10: 07:59 there
])
def test_the_period_reported_is_the_last_one_due_at_eight_local(kind, zone, now, period):
    first, last = email_reports.reported(kind, zone, utc(now))
    assert (first.isoformat(), last.isoformat()) == period


@pytest.fixture
def mailed(settings, inbox, serve):
    """The app under test, and its settings as the sender sees them (mail on, links public)."""
    mailing = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_starttls": False,
                                          "public_url": PUBLIC})
    return serve(create_app(mailing)), mailing


def visits(load_events, *instants):
    """One visitor a page view each at `instants` (UTC), alternating two pages and two sources."""
    load_events([(when, f"198.51.100.{i}", FIREFOX if i % 2 else CHROME,
                  {"u": f"https://example.com/{'pricing' if i % 3 else ''}",
                   **({"r": "https://www.google.com/"} if i % 2 else {})})
                 for i, when in enumerate(instants, start=1)])


def api_figures(base, key, property_id, first, last, path="summary"):
    response = httpx.get(f"{base}/api/v1/properties/{property_id}/{path}",
                         params={"period": "custom", "from": first.isoformat(), "to": last.isoformat(), "compare": "true",
                                 "limit": 5},
                         headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()["results"]


# `now`, the app's clock, is when the report is sent: the worker takes no event from its future.
@pytest.mark.parametrize("now, zone, events, before, after, first, last", [
    (utc("2026-11-30T02:15"), "Asia/Kathmandu", ("2026-11-22T18:14", "2026-11-22T18:15", "2026-11-23T09:00", "2026-11-29T18:14",
                        "2026-11-29T18:15", "2026-11-16T10:00"),
     "2026-11-30T02:14", "2026-11-30T02:15", date(2026, 11, 23), date(2026, 11, 29)),
    (utc("2026-10-26T07:00"), "Europe/Berlin", ("2026-10-18T21:59", "2026-10-18T22:00", "2026-10-25T01:30", "2026-10-25T22:59",
                       "2026-10-25T23:00", "2026-10-14T10:00"),
     "2026-10-26T06:59", "2026-10-26T07:00", date(2026, 10, 19), date(2026, 10, 25)),
], indirect=["now"])
def test_a_weekly_report_arrives_once_with_the_api_figures(mailed, admin, owner, property_id, load_events, inbox,
                                                           zone, events, before, after, first, last):
    base, mailing = mailed
    admin.execute("UPDATE accounts.properties SET time_zone = %s WHERE id = %s", (zone, property_id))
    visits(load_events, *events)
    email_reports.choose(admin, {"id": property_id, "time_zone": zone}, owner["id"], {"week"}, utc(before))
    assert email_reports.send_due(admin, mailing, utc(before)) == 0
    assert email_reports.send_due(admin, mailing, utc(after)) == 1
    assert email_reports.send_due(admin, mailing, utc(after)) == 0  # once per period
    [mail] = inbox.mails
    assert mail["To"] == owner["email"] and f"{first:%-d %b} – {last:%-d %b %Y}" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    page = mail.get_body(preferencelist=("html",)).get_content()
    key = api_keys.create(admin, owner["id"], "check")
    summary = api_figures(base, key, property_id, first, last)
    assert summary["visitors"] == 3  # the boundaries' minutes on either side of local midnight
    for label, value in (("Visitors", f"{summary['visitors']:,}"), ("Page views", f"{summary['page_views']:,}"),
                         ("Bounce rate", f"{summary['bounce_rate']:g} %"),
                         ("Visit duration", humane.duration(summary["session_duration"]))):
        assert re.search(rf"^{label} +{re.escape(value)}(\s|$)", text, re.MULTILINE), (label, value, text)
        assert f">{value}</div>" in page
    for row in api_figures(base, key, property_id, first, last, "breakdown/page"):
        assert f"  {row['page_views']:>8,}  {row['value']}" in text
    for row in api_figures(base, key, property_id, first, last, "breakdown/source"):
        assert f"  {row['sessions']:>8,}  {row['value'] or '(none)'}" in text
    assert f"{PUBLIC}/properties/{property_id}?period=custom&from={first}&to={last}&compare=1" in text


@pytest.mark.parametrize("now", [utc("2026-12-01T02:30")], indirect=True)
def test_the_monthly_report_is_sent_by_the_command_and_stopped_by_one_click(mailed, admin, owner, property_id, cli,
                                                                            load_events, inbox):
    base, mailing = mailed
    visits(load_events, "2026-11-10T10:00", "2026-11-20T10:00")
    email_reports.choose(admin, {"id": property_id, "time_zone": "Asia/Kolkata"}, owner["id"], {"month"},
                         utc("2026-11-18T09:30"))
    env = {"PARCOURS_SMTP_HOST": "127.0.0.1", "PARCOURS_SMTP_PORT": str(inbox.port), "PARCOURS_SMTP_STARTTLS": "false",
           "PARCOURS_PUBLIC_URL": PUBLIC, "PARCOURS_CLOCK": "2026-12-01T02:30:00+00:00"}  # 08:00 in Kolkata
    done = cli("reports", "send", env=env)
    assert (done.returncode, done.stdout.strip()) == (0, "sent 1 email reports"), done.stderr
    [mail] = inbox.mails
    assert "Monthly report of Example: 1 Nov – 30 Nov 2026" == mail["Subject"]
    assert re.search(r"^Visitors +2\b", mail.get_body(preferencelist=("plain",)).get_content(), re.MULTILINE)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{PUBLIC}/email-reports/unsubscribe/")
    path = unsubscribe.removeprefix(PUBLIC)
    assert "Stop the monthly report of <strong>Example</strong>" in httpx.get(base + path).text  # opening it stops nothing
    assert admin.execute("SELECT count(*) FROM accounts.email_reports").fetchone()[0] == 1
    stopped = httpx.post(base + path, data={"List-Unsubscribe": "One-Click"})  # as a mail client posts it, no cookie
    assert stopped.status_code == 200 and "will not be sent again" in stopped.text
    assert admin.execute("SELECT count(*) FROM accounts.email_reports").fetchone()[0] == 0
    assert httpx.post(base + path).status_code == 410


def test_without_mail_settings_the_command_says_why_and_fails(cli):
    done = cli("reports", "send", env={"PARCOURS_SMTP_HOST": ""})
    assert done.returncode == 1 and "need PARCOURS_SMTP_HOST" in done.stderr


def test_a_member_chooses_reports_on_the_team_page_and_loses_them_when_removed(mailed, admin, owner, property_id):
    from app.accounts import members, users

    base, _ = mailed
    reader = users.add(admin, "reader@example.com", "a long enough passphrase")
    members.accept(admin, members.invite(admin, property_id, "reader@example.com", "viewer", owner["id"]), reader)
    with httpx.Client(base_url=base) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)
        browser.post("/login", data={"email": "reader@example.com", "password": "a long enough passphrase",
                                     "csrf_token": token})
        page = browser.get(f"/properties/{property_id}/members").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        refused = browser.post(f"/properties/{property_id}/email-reports",
                               data={"kinds": ["week", "daily"], "csrf_token": token})
        assert refused.status_code == 422 and "unknown report &#39;daily&#39;" in refused.text
        chosen = browser.post(f"/properties/{property_id}/email-reports",
                              data={"kinds": ["week", "month"], "csrf_token": token})
        assert chosen.status_code == 303
        assert 'value="week" checked' in browser.get(f"/properties/{property_id}/members").text
    rows = admin.execute("SELECT kind, sent_for FROM accounts.email_reports WHERE user_id = %s ORDER BY kind",
                         (reader,)).fetchall()
    assert rows == [("month", date(2026, 10, 1)), ("week", date(2026, 11, 9))]  # the clock: Wed 18 Nov, Kolkata
    members.remove(admin, property_id, reader)
    assert admin.execute("SELECT count(*) FROM accounts.email_reports").fetchone()[0] == 0


@pytest.mark.parametrize("now", [utc("2026-11-30T02:30")], indirect=True)
def test_every_member_who_asked_gets_the_same_figures_and_their_own_link(mailed, admin, owner, property_id,
                                                                          load_events, inbox):
    from app.accounts import members, users

    _, mailing = mailed
    visits(load_events, "2026-11-24T10:00", "2026-11-25T10:00")
    reader = users.add(admin, "reader@example.com", "a long enough passphrase")
    members.accept(admin, members.invite(admin, property_id, "reader@example.com", "viewer", owner["id"]), reader)
    site = {"id": property_id, "time_zone": "Asia/Kolkata"}
    for user in (owner["id"], reader):
        email_reports.choose(admin, site, user, {"week"}, utc("2026-11-25T12:00"))
    assert email_reports.send_due(admin, mailing, utc("2026-11-30T02:30")) == 2  # 08:00 in Kolkata
    texts = {mail["To"]: mail.get_body(preferencelist=("plain",)).get_content() for mail in inbox.mails}
    assert set(texts) == {owner["email"], "reader@example.com"}
    figures = [text.split("Stop this report")[0] for text in texts.values()]
    assert figures[0] == figures[1] and re.search(r"^Visitors +2\b", figures[0], re.MULTILINE)
    assert len({text.split("Stop this report")[1] for text in texts.values()}) == 2  # each their own link
