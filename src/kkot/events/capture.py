"""Request-side helpers of event capture, shared by the ``/e/`` endpoint and by page views that append
server-side events (searches, follows). Nothing here writes; see :mod:`kkot.events.services`."""

from __future__ import annotations

import secrets

from kkot.events.services import (
    VISIT_COOKIE,
    VISITOR_COOKIE,
    Identity,
    device_class,
    is_raw_id,
    keyed_hash,
    tracking_allowed,
)


def request_tracking_allowed(request) -> bool:
    """False when the shopper opted out or the browser sends ``DNT: 1`` / ``Sec-GPC: 1``."""
    return tracking_allowed(user=getattr(request, "user", None), dnt=request.headers.get("DNT"),
                            gpc=request.headers.get("Sec-GPC"))


def request_identity(request) -> Identity:
    """Hashed visitor and visit ids from the tracker's first-party cookies (a random, unlinkable id when a cookie
    is missing), the user id, and the device class derived from the user agent (which is then dropped)."""
    raw_vid = request.COOKIES.get(VISITOR_COOKIE)
    raw_sid = request.COOKIES.get(VISIT_COOKIE)
    user = getattr(request, "user", None)
    return Identity(
        visitor=keyed_hash("visitor:" + (raw_vid if is_raw_id(raw_vid) else secrets.token_urlsafe(18))),
        session=keyed_hash("visit:" + (raw_sid if is_raw_id(raw_sid) else secrets.token_urlsafe(18))),
        user_id=user.pk if user is not None and user.is_authenticated else None,
        device=device_class(request.headers.get("User-Agent")),
        host=request.get_host(),
    )
