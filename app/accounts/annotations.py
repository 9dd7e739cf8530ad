"""Annotations: dated notes an owner puts on a site's chart (a deploy, a campaign). They belong
to a local date, the site's, so they land on the same day whatever the reader's zone; the chart
marks the bucket that holds the day's start (app/dashboard/charts.py)."""

from __future__ import annotations

from datetime import date

import psycopg
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError


def note_text(note: object) -> str:
    """A note as stored: one line, 1 to 200 characters."""
    text = " ".join(str(note or "").split())
    if not 1 <= len(text) <= 200:
        raise ParcoursError("write a note of 1 to 200 characters")
    return text


def add(conn: psycopg.Connection, user_id: int, property_id: str, day: date, note: str) -> int:
    row = conn.execute(queries.load("accounts")["add_annotation"],
                       {"user_id": user_id, "property_id": property_id, "day": day, "note": note_text(note)}).fetchone()
    if row is None:
        raise ParcoursError("no such property")
    return row[0]


def listed(conn: psycopg.Connection, property_id: str, first: date, last: date) -> list[dict]:
    rows = conn.execute(queries.load("accounts")["annotations"], {"property_id": property_id, "first": first, "last": last})
    return [{"id": id_, "date": day.isoformat(), "note": note} for id_, day, note in rows]


def delete(conn: psycopg.Connection, user_id: int, property_id: str, note_id: int) -> bool:
    found = conn.execute(queries.load("accounts")["delete_annotation"],
                         {"id": note_id, "property_id": property_id, "user_id": user_id}).fetchone()
    return found is not None


def router(web: Web) -> APIRouter:
    """The property page's "Add a note" form and each note's delete button."""
    routes = APIRouter()

    @routes.post("/properties/{property_id}/notes")
    def add_note(request: Request, property_id: str, day: str = Form(""), note: str = Form(""),
                 csrf_token: str = Form("")):
        user, _ = web.site_form_post(request, csrf_token, property_id, "admin")
        try:
            with web.pool.connection() as conn:
                add(conn, user["id"], property_id, date.fromisoformat(day), note)
        except ValueError:
            raise HTTPException(422, f"a note needs a date as YYYY-MM-DD, not {day[:20]!r}") from None
        except ParcoursError as error:
            raise HTTPException(422, str(error)) from None
        return RedirectResponse(f"/properties/{property_id}", status_code=303)

    @routes.post("/properties/{property_id}/notes/{note_id}/remove")
    def delete_note(request: Request, property_id: str, note_id: int, csrf_token: str = Form("")):
        user, _ = web.site_form_post(request, csrf_token, property_id, "admin")
        with web.pool.connection() as conn:
            if not delete(conn, user["id"], property_id, note_id):
                raise HTTPException(404, "no such note")
        return RedirectResponse(f"/properties/{property_id}", status_code=303)

    return routes
