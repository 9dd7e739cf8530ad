"""Sign-up: anyone while it is open, and always the very first account (the admin)."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, sessions, users
from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    def signup_allowed() -> bool:
        if web.settings.signup_open:
            return True
        with web.pool.connection() as conn:
            return not conn.execute(q["any_user"]).fetchone()[0]

    @routes.get("/signup")
    def signup_page(request: Request):
        if not signup_allowed():
            raise HTTPException(404, "sign-up is closed; ask the operator for an account")
        return web.render(request, "signup.html", {"error": None, "email": ""})

    @routes.post("/signup")
    def signup(request: Request, email: str = Form(""), password: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        if not signup_allowed():
            raise HTTPException(404, "sign-up is closed; ask the operator for an account")
        try:
            with web.pool.connection() as conn:
                user_id = users.add(conn, email.strip(), password)
                token = sessions.start(conn, user_id)
        except ParcoursError as error:
            return web.render(request, "signup.html", {"error": str(error), "email": email}, status=422)
        response = RedirectResponse("/properties/new", status_code=303)
        sessions.set_cookie(response, token, web.secure_cookies(request))
        return response

    return routes
