"""OwnTracks' HTTP mode: the app posts each message to one endpoint and reads the answer, a JSON array of
messages (the family's and the car's locations and cards, and notifications waiting for this phone).

Who posts is the caller's identity (`PrincipalDep`): its name is the OwnTracks user; the device is the
`X-Limit-D` header or `?d=` (as the OwnTracks Recorder reads them), or the user's only phone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query, Request

from homebound.adapters.http import bounded
from homebound.adapters.http.deps import PrincipalDep, ServicesDep
from homebound.model.errors import ErrorCode, HomeboundError

router = bounded.router(prefix="/api/v1/owntracks", tags=["phones"])
MAX_BODY = 64 * 1024


class BodyTooLarge(HomeboundError):
    code = ErrorCode.BAD_REQUEST


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLarge(f"an OwnTracks message is at most {MAX_BODY} bytes, not {declared}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge(f"an OwnTracks message is at most {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("")
async def post_message(request: Request, services: ServicesDep, caller: PrincipalDep,
                       d: Annotated[str | None, Query(max_length=64, description="the device")] = None,
                       x_limit_d: Annotated[str | None, Header(max_length=64)] = None) -> list[dict[str, object]]:
    """One OwnTracks message from the caller's phone; answers what the app should show or do."""
    phones = services.phones
    if phones is None:
        raise HomeboundError("no household members are configured (people: in the configuration)")
    user = caller.split(":", 1)[-1]
    device = x_limit_d or d or phones.only_phone_of(user)
    if device is None:
        raise HomeboundError(f"{user[:40]} has several phones or none: name the device with X-Limit-D or ?d=")
    return phones.on_owntracks(user, device, await _body(request), "http")
