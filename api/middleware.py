"""What every request passes before a route: a per-client rate for the public, a bound on
requests in flight (shed with 503, never queued without end), a bounded body with no NUL
characters, and the security headers on every answer. Plain ASGI: no per-request task or
copy of the response, so the fast paths stay fast."""

from __future__ import annotations

import base64
import hashlib
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROBLEM_JSON = b"application/problem+json"


async def problem(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    titles = {400: "Bad Request", 413: "Content Too Large", 429: "Too Many Requests"}
    body = orjson.dumps(
        {
            "type": "about:blank",
            "title": titles.get(status, "Service Unavailable"),
            "status": status,
            "detail": detail,
        }
    )
    head = [(b"content-type", PROBLEM_JSON), (b"content-length", str(len(body)).encode())]
    if status in (429, 503):
        # A client told to wait loses its connection too: a flood then pays for new
        # connections instead of pipelining refusals through the server's event loop.
        head.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": head + headers})
    await send({"type": "http.response.body", "body": body})


def _has_credentials(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"authorization" or (name == b"cookie" and b"gridgis_session=" in value):
            return True
    return False


# --- the public's rate ------------------------------------------------------------------


@dataclass
class _Bucket:
    tokens: float
    at: float


class Buckets:
    """A token bucket per client: `burst` at once, refilled at `per_second`. Bounded
    memory: the least recently seen clients are forgotten first."""

    def __init__(self, *, per_second: float, burst: int, clients: int = 10_000) -> None:
        self.rate = per_second
        self.burst = burst
        self.clients = clients
        self.buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def wait(self, client: str) -> float:
        """0 when the client may go (a token is taken); else seconds until it could."""
        now = time.monotonic()
        bucket = self.buckets.pop(client, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self.buckets[client] = bucket
        if len(self.buckets) > self.clients:
            self.buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


def client_address(scope: Scope) -> str:
    """The client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return str((scope.get("client") or ("unknown", 0))[0])


class RateLimit:
    """The public's rate, per client address, for requests without credentials (staff are
    known and answerable for their load)."""

    def __init__(self, app: ASGIApp, *, per_second: float, burst: int) -> None:
        self.app = app
        self.rate = per_second
        self.buckets = Buckets(per_second=per_second, burst=burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.rate <= 0 or _has_credentials(scope):
            return await self.app(scope, receive, send)
        if scope["path"].startswith(("/static/", "/static-offline-docs/")):
            return await self.app(scope, receive, send)
        client = client_address(scope)
        wait = self.buckets.wait(client)
        if wait > 0:
            retry = str(max(1, math.ceil(wait))).encode()
            detail = f"too many requests from {client}; at most {self.rate:g} per second"
            return await problem(send, 429, detail, [(b"retry-after", retry)])
        await self.app(scope, receive, send)


# --- requests in flight -----------------------------------------------------------------


class Admission:
    """At most `limit` requests in flight in this worker; more are refused at once with 503
    (a client retries; a queue would only make every answer late)."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            return await self.app(scope, receive, send)
        if self.in_flight >= self.limit:
            detail = "the server is busy; try again in a moment"
            return await problem(send, 503, detail, [(b"retry-after", b"1")])
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


# --- the request itself -----------------------------------------------------------------


class Guard:
    """NUL characters nowhere (PostgreSQL text cannot hold them) and bodies of at most
    `max_body` bytes, checked before any route, authentication included, reads them."""

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        raw = scope.get("raw_path") or scope["path"].encode()
        target = raw + b"?" + scope.get("query_string", b"")
        if b"%00" in target or b"\x00" in target or "\x00" in scope["path"]:
            return await problem(send, 400, "NUL characters are not allowed in a URL", [])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            detail = f"the body has {int(declared):,} bytes; at most {self.max_body:,}"
            return await problem(send, 413, detail, [])
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE") and not declared:
            return await self.app(scope, receive, send)
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                return await problem(send, 413, f"the body is over {self.max_body:,} bytes", [])
        if _has_nul(body, dict(scope["headers"]).get(b"content-type", b"")):
            return await problem(send, 400, "NUL characters are not allowed in a body", [])
        await self.app(scope, _replay(body), send)


def _has_nul(body: bytes, content_type: bytes) -> bool:
    kind = content_type.split(b";")[0].strip().lower()
    if kind == b"multipart/form-data":
        return False  # files (photos) hold zero bytes; their text fields are checked on use
    if kind == b"application/x-www-form-urlencoded":
        return b"%00" in body or b"\x00" in body
    return b"\x00" in body or b"\\u0000" in body


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


# --- headers on every answer ------------------------------------------------------------

_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def html_csp(body: bytes) -> bytes:
    """A policy for an HTML page of ours that did not bring one (the API docs): scripts
    from this server and exactly the inline ones it carries, by hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'"
        for s in _SCRIPT.findall(body)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'"
    ).encode()


class SecurityHeaders:
    """nosniff and no framing everywhere; no caching of answers to callers with
    credentials (the only ones that can carry personal data); a CSP on every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        private = _has_credentials(scope)
        pending: Message | None = None

        async def send_with_headers(message: Message) -> None:
            nonlocal pending
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
                if private and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
                html = any(n == b"content-type" and v.startswith(b"text/html") for n, v in headers)
                if html and b"content-security-policy" not in names:
                    pending = message  # the policy needs the page's inline scripts
                    return
            elif pending is not None and message["type"] == "http.response.body":
                if message.get("more_body"):
                    raise RuntimeError("streamed HTML pages are not expected here")
                pending["headers"].append(
                    (b"content-security-policy", html_csp(message.get("body", b"")))
                )
                await send(pending)
                pending = None
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- HEAD, and reads from other origins -------------------------------------------------


class HeadAsGet:
    """HEAD answers every GET path with the headers a GET would get, and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class Cors:
    """Web maps on other origins may read the public layers: cross-origin GETs without
    credentials are allowed for the configured origins ("*": any). Never with credentials:
    no Access-Control-Allow-Credentials, and Authorization is not an allowed header, so a
    browser will not send a staff token or cookie cross-origin on a page's behalf."""

    EXPOSED = b"Content-Crs, Link, ETag, Retry-After"

    def __init__(self, app: ASGIApp, *, origins: tuple[str, ...]) -> None:
        self.app = app
        self.origins = origins

    def _allowed(self, origin: bytes) -> bytes | None:
        if not origin or not self.origins:
            return None
        if "*" in self.origins:
            return b"*"
        return origin if origin.decode("latin-1") in self.origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        allowed = self._allowed(headers.get(b"origin", b""))
        if allowed is None or scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            return await self._preflight(send, allowed)
        if _has_credentials(scope):
            return await self.app(scope, receive, send)

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", allowed),
                    (b"access-control-expose-headers", self.EXPOSED),
                    (b"vary", b"Origin"),
                ]
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(self, send: Send, allowed: bytes) -> None:
        head = [
            (b"access-control-allow-origin", allowed),
            (b"access-control-allow-methods", b"GET, HEAD"),
            (b"access-control-allow-headers", b"Accept, Accept-Language, If-None-Match"),
            (b"access-control-max-age", b"3600"),
            (b"vary", b"Origin"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": head})
        await send({"type": "http.response.body", "body": b""})
