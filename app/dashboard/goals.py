"""The goals and funnels page of a property: the owner lists, adds and deletes them. Forms post
back here and the page is shown again with what was saved, or with the reason it was not."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf
from app.reports import goals
from app.web import Web


def router(web: Web) -> APIRouter:
    routes = APIRouter()

    def page(request: Request, site: dict, user: dict, error: str | None = None, status: int = 200, form=None):
        with web.pool.connection() as conn:
            defined, funnels = goals.defined(conn, user["id"], site["id"]), goals.funnels(conn, user["id"], site["id"])
        return web.render(request, "goals.html", {"user": user, "property": site, "goals": defined,
                                                  "funnels": funnels, "describe": goals.describe,
                                                  "error": error, "form": form or {}}, status=status)

    @routes.get("/properties/{property_id}/goals")
    def goals_page(request: Request, property_id: str):
        user = web.current_user(request)
        return page(request, web.site_for(user, property_id, "admin"), user)

    @routes.post("/properties/{property_id}/goals")
    def add_goal(request: Request, property_id: str, name: str = Form(""), kind: str = Form("page"),
                 page_path: str = Form("", alias="page"), event: str = Form(""), props: str = Form(""),
                 csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "admin")
        try:
            definition = goals.step(page=page_path, props=goals.parse_props(props)) if kind == "page" \
                else goals.step(event=event, props=goals.parse_props(props))
            with web.pool.connection() as conn:
                goals.add(conn, user["id"], site["id"], goals.name(name), definition)
        except goals.GoalError as error:
            form = {"name": name, "kind": kind, "page": page_path, "event": event, "props": props}
            return page(request, site, user, str(error), 422, form)
        return RedirectResponse(f"/properties/{site['id']}/goals", 303)

    @routes.post("/properties/{property_id}/funnels")
    def add_funnel(request: Request, property_id: str, name: str = Form(""), steps: str = Form(""),
                   csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "admin")
        try:
            items = goals.steps([goals.step_line(line) for line in steps.splitlines() if line.strip()])
            with web.pool.connection() as conn:
                goals.add_funnel(conn, user["id"], site["id"], goals.name(name), items)
        except goals.GoalError as error:
            return page(request, site, user, str(error), 422, {"funnel_name": name, "steps": steps})
        return RedirectResponse(f"/properties/{site['id']}/goals", 303)

    @routes.post("/properties/{property_id}/{kind}s/{item_id}/delete")
    def delete(request: Request, property_id: str, kind: str, item_id: int, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        if kind not in ("goal", "funnel"):
            raise HTTPException(404, "no such page")
        web.site_for(user, property_id, "admin")
        with web.pool.connection() as conn:
            if not goals.delete(conn, user["id"], property_id, kind, item_id):
                raise HTTPException(404, f"no such {kind}")
        return RedirectResponse(f"/properties/{property_id}/goals", 303)

    return routes
