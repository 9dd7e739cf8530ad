"""The account page: change the email address or the password, set preferences, log out
everywhere else, turn two-factor sign-in on or off, and manage API keys. Changing the address
needs the current password, as changing the password does: the address is where password resets
go. Turning two-factor sign-in off needs the password and a code."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import api_keys, csrf, email_change, mail, passwords, sessions, two_factor, users
from app.reports import periods
from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError

WEEK_STARTS = ("monday", "sunday")


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    def page(request: Request, user: dict, status: int = 200, **notes):
        with web.pool.connection() as conn:
            keys = api_keys.listed(conn, user["id"])
            active = sessions.listed(conn, user["id"], request.cookies.get(sessions.COOKIE))
            owned = conn.execute(q["owned_property_names"], {"user_id": user["id"]}).fetchall()
            second = _second_factor(conn, user["id"])
        return web.render(request, "account.html", {"user": user, "keys": keys, "sessions": active, **second,
                                                     "owned": [name for _, name in owned],
                                                     "periods": periods.PERIODS[:-1], "week_starts": WEEK_STARTS,
                                                     "new_key": None, "error": None, "notice": None, **notes}, status=status)

    @routes.get("/account")
    def account(request: Request):
        return page(request, web.current_user(request))

    def password_ok(conn, user: dict, given: str) -> bool:
        return passwords.verify(conn.execute(q["password_hash_of"], {"id": user["id"]}).fetchone()[0], given)

    @routes.post("/account/password")
    def change_password(request: Request, current: str = Form(""), new: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        with web.pool.connection() as conn:
            if not password_ok(conn, user, current):
                return page(request, user, 422, error="The current password is not right.")
            try:
                users.change_password(conn, user["id"], users.new_hash(new),
                                      keep=sessions.digest(request.cookies.get(sessions.COOKIE, "")))
            except ParcoursError as error:
                return page(request, user, 422, error=str(error))
        return page(request, user, notice="Password changed. Every other session is logged out, "
                                          "and reset links sent earlier no longer work.")

    @routes.post("/account/email")
    def change_email(request: Request, email: str = Form(""), current: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        if mail.link(web.settings, "/") is None:
            return page(request, user, 503, error=mail.NO_PUBLIC_URL)
        with web.pool.connection() as conn:
            if not password_ok(conn, user, current):
                return page(request, user, 422, error="The current password is not right.")
            try:
                token = email_change.start(conn, user["id"], email.strip())
            except ParcoursError as error:
                return page(request, user, 422, error=f"{str(error)[:200]}.")
        response = page(request, user, notice=f"A link is on its way to {email.strip()}: your address changes when "
                                              "it is opened (within a day). Your current address is told too.")
        mail.send_all_after(response, web.settings, email_change.messages(web, user["email"], email.strip(), token))
        return response

    @routes.post("/account/preferences")
    def preferences(request: Request, default_period: str = Form(""), week_start: str = Form("monday"),
                    csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        if default_period not in periods.PERIODS[:-1]:
            return page(request, user, 422, error=f"unknown period {default_period[:40]!r}")
        if week_start not in WEEK_STARTS:
            return page(request, user, 422, error=f"weeks start on monday or sunday, not {week_start[:40]!r}")
        with web.pool.connection() as conn:
            conn.execute(q["set_preferences"], {"id": user["id"], "period": default_period, "week_start": week_start})
        return page(request, {**user, "default_period": default_period, "week_start": week_start},
                    notice="Preferences saved.")

    @routes.post("/account/sessions/end-others")
    def end_others(request: Request, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        with web.pool.connection() as conn:
            conn.execute(q["end_other_sessions"], {"user_id": user["id"],
                                                   "keep": sessions.digest(request.cookies.get(sessions.COOKIE, ""))})
        return page(request, user, notice="Logged out everywhere else.")

    def codes_page(request: Request, user: dict, codes: list[str]):
        return web.render(request, "two_factor.html", {"user": user, "codes": codes, "setup": None, "error": None})

    def setup_page(request: Request, user: dict, secret: str, status: int = 200, error: str | None = None):
        uri = two_factor.setup_uri(secret, user["email"])
        setup = {"secret": secret, "qr": two_factor.qr_svg(uri), "uri": uri,
                 "signature": two_factor.sign_secret(request.app.state.signing_key, user["id"], secret)}
        return web.render(request, "two_factor.html", {"user": user, "codes": None, "setup": setup, "error": error},
                          status=status)

    @routes.post("/account/2fa/setup")
    def two_factor_setup(request: Request, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        return setup_page(request, web.current_user(request), two_factor.new_secret())

    @routes.post("/account/2fa/enable")
    def two_factor_enable(request: Request, secret: str = Form(""), signature: str = Form(""), code: str = Form(""),
                          csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        expected = two_factor.sign_secret(request.app.state.signing_key, user["id"], secret)
        if not hmac.compare_digest(expected, signature):
            return page(request, user, 422, error="That setup form has expired. Start again.")
        step = two_factor.matching_step(secret, code, web.settings.now())
        if step is None:
            return setup_page(request, user, secret, 422, "That code is not right. Enter the six digits your app "
                                                          "shows now for Parcours.")
        with web.pool.connection() as conn:
            codes = two_factor.enable(conn, request.app.state.signing_key, user["id"], secret, step)
        return codes_page(request, user, codes)

    @routes.post("/account/2fa/recovery-codes")
    def two_factor_codes(request: Request, code: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        with web.pool.connection() as conn:
            if not two_factor.verify(conn, request.app.state.signing_key, user["id"], code, web.settings.now()):
                return page(request, user, 422, error="That code is not right.")
            codes = two_factor.new_recovery_codes(conn, user["id"])
        return codes_page(request, user, codes)

    @routes.post("/account/2fa/disable")
    def two_factor_disable(request: Request, current: str = Form(""), code: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        with web.pool.connection() as conn:
            if not password_ok(conn, user, current):
                return page(request, user, 422, error="The current password is not right.")
            if not two_factor.verify(conn, request.app.state.signing_key, user["id"], code, web.settings.now()):
                return page(request, user, 422, error="That code is not right.")
            two_factor.disable(conn, user["id"])
        return page(request, user, notice="Two-factor sign-in is off. Your password alone now logs you in.")

    @routes.post("/account/2fa/forget-browsers")
    def forget_browsers(request: Request, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        with web.pool.connection() as conn:
            two_factor.forget_browsers(conn, user["id"])
        return page(request, user, notice="Every remembered browser will ask for a code again.")

    @routes.post("/account/sessions/{session_id}/end")
    def end_one(request: Request, session_id: int, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        with web.pool.connection() as conn:
            if not sessions.end_by_id(conn, user["id"], session_id):
                return page(request, user, 404, error="No such session: it may have ended already.")
        return page(request, user, notice="That session is logged out.")

    @routes.post("/account/delete")
    def delete_account(request: Request, current: str = Form(""), names: str = Form(""), csrf_token: str = Form("")):
        """The account, its sites and all their data, for good: after the password and the names
        of the sites it owns, as the site's own delete asks for its name."""
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        with web.pool.connection() as conn:
            if not password_ok(conn, user, current):
                return page(request, user, 422, error="The current password is not right.")
            owned = conn.execute(q["owned_property_names"], {"user_id": user["id"]}).fetchall()
            if sorted(line.strip() for line in names.splitlines() if line.strip()) != sorted(n for _, n in owned):
                return page(request, user, 422, error="Type the name of each of your sites, one per line, to delete them.")
            with conn.transaction():
                for property_id, _ in owned:
                    conn.execute(q["delete_property"], {"id": property_id, "owner_id": user["id"]})
                    conn.execute(q["purge_property"], {"id": property_id})
                conn.execute(q["delete_user"], {"user_id": user["id"]})
        response = RedirectResponse("/login?deleted=1", status_code=303)
        response.delete_cookie(sessions.COOKIE)
        return response

    @routes.post("/account/keys")
    def create_key(request: Request, name: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        try:
            with web.pool.connection() as conn:
                key = api_keys.create(conn, user["id"], name.strip())
        except ParcoursError as error:
            return page(request, user, 422, error=str(error))
        return page(request, user, new_key=key)

    @routes.post("/account/keys/{key_id}/revoke")
    def revoke_key(request: Request, key_id: int, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        try:
            with web.pool.connection() as conn:
                api_keys.revoke(conn, user["id"], key_id)
        except ParcoursError:
            return page(request, user, 404, error="No such key.")
        return RedirectResponse("/account", status_code=303)

    return routes


def _second_factor(conn, user_id: int) -> dict:
    """What the account page says of two-factor sign-in."""
    if not two_factor.secret_of(conn, user_id):
        return {"two_factor": None}
    return {"two_factor": {"codes_left": two_factor.recovery_codes_left(conn, user_id),
                           "browsers": two_factor.trusted_browsers(conn, user_id)}}
