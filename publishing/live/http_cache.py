"""The live read's HTTP caching: ETag, ``304 Not Modified``, ``Cache-Control`` and ``Vary``.

Every answer, refusals included, varies by the caller's credentials, so no shared cache
between the client and the server may hand one caller's answer to another.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

CACHE_CONTROL = "private, no-cache"
VARY = "Authorization, Cookie"


def json_error(status: int, detail: str) -> HttpResponse:
    """A refusal in the rest of the API's form: ``{"detail": ...}``, 401s naming the scheme."""
    response = HttpResponse(
        json.dumps({"detail": detail}), content_type="application/json", status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = "Token"
    response["Vary"] = VARY
    return response


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (or ``*``): then the answer is a 304."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return True
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    bare = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == bare for tag in tags)


def answer(request: HttpRequest, payload: dict[str, Any]) -> HttpResponse:
    """The cached body and ETag as a 200 (no body for HEAD), or 304 when the client has it."""
    if etag_matches(request, payload["etag"]):
        response: HttpResponse = HttpResponseNotModified()
    else:
        body = payload["body"] if request.method != "HEAD" else b""
        response = HttpResponse(body, content_type="application/json")
        if request.method == "HEAD":
            response["Content-Length"] = str(len(payload["body"]))
    response["ETag"] = payload["etag"]
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = VARY
    return response
