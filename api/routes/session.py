"""Staff sign-in on the pages: a name and a password give a session cookie (HttpOnly,
SameSite=Strict, Secure over HTTPS); the pages send the session's CSRF token on writes.
Failed sign-ins are limited per account (a lock) and per client address."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import SESSION_COOKIE, MaybeStaffDep, StaffDep, TokenCache
from api.deps import ConnectionDep, SettingsDep
from api.errors import TooManyRequests, Unauthorized
from api.middleware import Buckets, client_address
from layers import accounts, audit
from layers.tokens import Staff

router = APIRouter(tags=["Staff sign-in"])


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


def _attempts(request: Request) -> Buckets:
    buckets: Buckets = request.app.state.sign_in_attempts
    return buckets


def _limit_attempts(request: Request) -> None:
    wait = _attempts(request).wait(client_address(request.scope))
    if wait > 0:
        raise TooManyRequests(
            "too many sign-in attempts from your address; try again later",
            retry_after=math.ceil(wait),
        )


@router.post("/auth/sign-in", summary="Sign in with a staff account (sets a session cookie)")
async def sign_in(
    body: SignIn,
    request: Request,
    response: Response,
    conn: ConnectionDep,
    settings: SettingsDep,
    _: Annotated[None, Depends(_limit_attempts)],
) -> dict[str, Any]:
    try:
        signed = await accounts.sign_in(
            conn, name=body.name, password=body.password, hours=settings.session_hours
        )
    except accounts.Locked as error:
        raise TooManyRequests(str(error), retry_after=15 * 60) from error
    if signed is None:
        raise Unauthorized("wrong name or password")
    await audit.record(conn, signed.staff, action="sign_in", target="/auth/sign-in")
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_id,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
        path="/",
    )
    return _me(signed.staff, signed.csrf)


@router.post("/auth/sign-out", summary="End this session")
async def sign_out(
    request: Request, response: Response, conn: ConnectionDep, staff: StaffDep
) -> dict[str, bool]:
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await accounts.sign_out(conn, session)
        cache: TokenCache = request.app.state.token_cache
        cache.drop(accounts.session_key(session))
        await audit.record(conn, staff, action="sign_out", target="/auth/sign-out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"signed_out": True}


def _me(staff: Staff, csrf: str | None) -> dict[str, Any]:
    return {
        "signed_in": True,
        "name": staff.name,
        "role": staff.role,
        "scope_code": staff.scope_code,
        "communities": list(staff.communities),
        "can_edit_grids": staff.role in ("planner", "admin"),
        "csrf": csrf,
        "expires_at": staff.expires_at.isoformat() if staff.expires_at else None,
    }


@router.get(
    "/auth/me", summary="Who is calling: signed in or not; a staff member's role and jurisdiction"
)
async def me(request: Request, staff: MaybeStaffDep) -> dict[str, Any]:
    if staff is None:  # not an error: the pages ask this to know whether to show sign-in
        return {"signed_in": False}
    identity = getattr(request.state, "identity", None)
    return _me(staff, identity.csrf if identity is not None else None)
