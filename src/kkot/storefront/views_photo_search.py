"""사진으로 찾기: a shopper uploads or snaps a photo and gets visually similar products across stores.

POST validates and encodes the photo once and keeps only its vector (about 1 KB) in the session; GET shows the
results, so the colour chips are plain links that never re-upload the photo. The photo itself is not stored.
"""

from __future__ import annotations

import base64
import time

import numpy as np
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kkot.assist.services.visual import colour_chips, current_index, photo_query, visual_search
from kkot.core.errors import KkotError
from kkot.storefront.views import _page

SESSION_KEY = "kk_photo_query"
RESULTS = 24


@require_http_methods(["GET", "POST"])
def photo_search(request):
    error = ""
    if request.method == "POST":
        f = request.FILES.get("photo")
        if f is None:
            error = _("사진을 선택하거나 촬영해 주세요.")
        else:
            try:
                vec, colours = photo_query(upload=f)
            except KkotError as exc:
                error = exc.message
            else:
                request.session[SESSION_KEY] = {
                    "v": base64.b64encode(vec.astype(np.float32).tobytes()).decode(),
                    "c": colours,
                }
                return redirect("storefront:photo_search")
    q = request.session.get(SESSION_KEY) if not error else None
    hits, chips, colour, took_ms = [], [], "", None
    if q:
        colour = (request.GET.get("colour") or "")[:10]
        vec = np.frombuffer(base64.b64decode(q["v"]), np.float32)
        t0 = time.perf_counter()
        hits = visual_search(vec, k=RESULTS, colour=colour)
        took_ms = round((time.perf_counter() - t0) * 1000)
        chips = colour_chips(hits if not colour else visual_search(vec, k=RESULTS), q.get("c", []))
    ctx = {
        "error": error,
        "has_query": bool(q),
        "hits": hits,
        "chips": chips,
        "colour": colour,
        "query_colours": (q or {}).get("c", []),
        "took_ms": took_ms,
        "index_ready": current_index() is not None,
    }
    return _page(
        request, "storefront/photo_search.html", ctx, page_type="photo_search", status=400 if error else 200
    )
