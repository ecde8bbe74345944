"""Who is calling: the public (no token) or staff with a role and a jurisdiction."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request

from api.deps import ConnectionDep
from api.errors import Forbidden, Unauthorized
from layers.tokens import Staff, hash_token, staff_for

# A token is looked up at most this often; a revoked token stops working within this time.
CACHE_SECONDS = 30.0


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()


async def optional_staff(request: Request, conn: ConnectionDep) -> Staff | None:
    token = _bearer(request)
    if token is None:
        return None
    cache: dict[str, tuple[float, Staff | None]] = request.app.state.token_cache
    key = hash_token(token)
    hit = cache.get(key)
    if hit is None or hit[0] < time.monotonic():
        hit = (time.monotonic() + CACHE_SECONDS, await staff_for(conn, token))
        cache[key] = hit
    if hit[1] is None:
        raise Unauthorized("unknown or revoked token")
    return hit[1]


async def required_staff(staff: Annotated[Staff | None, Depends(optional_staff)]) -> Staff:
    if staff is None:
        raise Unauthorized(
            "staff only: send 'Authorization: Bearer <token>' (gridgis token create)"
        )
    return staff


def require_role(staff: Staff, *roles: str) -> None:
    if staff.role not in roles:
        raise Forbidden(f"a {staff.role} token cannot do this; it needs one of: {', '.join(roles)}")


MaybeStaffDep = Annotated[Staff | None, Depends(optional_staff)]
StaffDep = Annotated[Staff, Depends(required_staff)]
