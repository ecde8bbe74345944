"""One map from exception to HTTP status, answered as RFC 9457 problem+json."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import ClassVar

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An error a client can act on; `detail` says what to change."""

    status = HTTPStatus.BAD_REQUEST
    default_headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(self.default_headers) if self.default_headers else None


class BadRequest(Problem):
    status = HTTPStatus.BAD_REQUEST


class NotFound(Problem):
    status = HTTPStatus.NOT_FOUND


class Forbidden(Problem):
    status = HTTPStatus.FORBIDDEN


class Unauthorized(Problem):
    status = HTTPStatus.UNAUTHORIZED
    default_headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "Bearer"}


class Conflict(Problem):
    status = HTTPStatus.CONFLICT


class PreconditionFailed(Problem):
    status = HTTPStatus.PRECONDITION_FAILED


class Unprocessable(Problem):
    status = HTTPStatus.UNPROCESSABLE_ENTITY


class TooManyRequests(Problem):
    status = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class PayloadTooLarge(Problem):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class PreconditionRequired(Problem):
    status = HTTPStatus.PRECONDITION_REQUIRED


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_detail(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "body", "path"))
        parts.append(f"{where or 'request'}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


_checks: set[asyncio.Task[None]] = set()


def _check_pool(pool: object) -> None:
    """Drop the connections a lost server broke (once at a time), so the first requests
    after it returns find good ones."""
    if _checks or not isinstance(pool, AsyncConnectionPool):
        return
    task = asyncio.get_running_loop().create_task(pool.check())
    _checks.add(task)
    task.add_done_callback(_checks.discard)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem(error.status, error.detail, instance=request.url.path, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # Bad query parameters are a 400 for OGC clients; a bad body is a 422.
        in_body = any(item.get("loc", ("",))[0] == "body" for item in error.errors())
        status = 422 if in_body else 400
        return problem(status, _validation_detail(error), instance=request.url.path)

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_away(request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, psycopg.OperationalError):
            _check_pool(getattr(request.app.state, "pool", None))
        detail = "the database is not reachable at the moment; try again shortly"
        return problem(503, detail, instance=request.url.path, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), instance=request.url.path)
