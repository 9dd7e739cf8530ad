"""The baselines bench/collect runs under the same server as Parcours's collect path.

`bare`: an ASGI app that reads the body and answers 204 — the ceiling of the server itself.
`fastapi`: a plain FastAPI route that parses the JSON and answers 202 without storing it —
what a conventional framework handler costs before doing any of collect's work.
"""

import json

from fastapi import FastAPI, Request, Response


async def bare(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


fastapi = FastAPI()


@fastapi.post("/metrics", status_code=202)
async def metrics(request: Request) -> Response:
    json.loads(await request.body())
    return Response(status_code=202)
