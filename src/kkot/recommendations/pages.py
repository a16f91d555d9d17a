"""Request-side helper for the storefront pages (like :mod:`kkot.events.capture`): one call per page computes
its widgets for this shopper and records their impressions with one bulk append. Never raises."""

from __future__ import annotations

import logging

from kkot.events.capture import request_identity, request_tracking_allowed
from kkot.events.services import VISIT_COOKIE, VISITOR_COOKIE
from kkot.recommendations import selectors
from kkot.recommendations.services import recs_impressions_record

logger = logging.getLogger("kkot.recommendations")


def page_widgets(request, page_type: str, *, product=None, store=None, cart_product_ids=None) -> list:
    """Non-empty widgets for a product page (``product``), a store home (``store``), the platform home or the
    cart (``cart_product_ids``). Personal (this visit's views, the shopper's history): render them outside any
    shared page cache."""
    try:
        identity = request_identity(request)
        # Without the tracker's cookies the ids are random: no history to look up, and no impressions either
        # (impressions count the same browsers that can report clicks, so CTR compares like with like).
        has_visit = bool(request.COOKIES.get(VISIT_COOKIE))
        has_visitor = bool(request.COOKIES.get(VISITOR_COOKIE))
        session = identity.session if has_visit else ""
        visitor = identity.visitor if has_visitor else ""
        if product is not None:
            widgets = selectors.product_page_widgets(product=product, session=session,
                                                     user_id=identity.user_id)
        elif cart_product_ids is not None:
            widgets = selectors.cart_widgets(product_ids=cart_product_ids, user_id=identity.user_id)
        else:
            widgets = selectors.home_widgets(user_id=identity.user_id, visitor=visitor, session=session,
                                             store_id=store.pk if store else None)
        widgets = [w for w in widgets if w.items]
    except Exception:
        logger.exception("recs: widgets for a %s page failed", page_type)
        return []
    if widgets and has_visitor and request_tracking_allowed(request):
        try:
            recs_impressions_record(identity=identity, page_type=page_type, widgets=widgets)
        except Exception:
            logger.exception("recs: recording impressions failed")
    return widgets
