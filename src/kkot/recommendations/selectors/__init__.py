"""Recommendation reads: widgets served from the in-memory model set, with business rules and true reasons.

Every widget returns a :class:`Widget` and never raises (a page must not fail because of recommendations):
an exception is logged and the widget is empty. Business rules, applied to the model's candidates with one
query (candidates and reason anchors together):

* only products on sale with stock (``status=on_sale``, ``stock_total > 0``) of open stores: never sold-out,
  hidden, suspended products or paused/closed stores;
* per-store widgets (product page, store home) keep to the store;
* what the shopper bought is left out unless it is consumable and due again (repurchase cycle per category,
  estimated at training, see :mod:`kkot.recommendations.services`);
* at most :data:`MAX_PER_CATEGORY` items per leaf category (diversity);
* 맞춤 추천 keeps a slot for a new product similar to what the shopper viewed (cold start by content).

Fallback chain, logged with the reason: model set missing/corrupt, or a product unknown to the models ->
popular products of the product's category (same store where the widget is per-store) -> nothing.
"""

from kkot.recommendations.selectors.core import (  # noqa: F401
    _LOG_EVERY_S,
    BOUGHT_DAYS,
    CANDIDATES,
    MAX_PER_CATEGORY,
    NEW_DAYS,
    PENDING,
    SESSION_HISTORY,
    SPARES,
    VISIBLE_TTL_S,
    WIDGETS,
    K,
    RecItem,
    Widget,
    _bought,
    _Cand,
    _content_neighbours,
    _coview_anchor,
    _finish,
    _live_ok,
    _popularity_rank,
    _raw,
    _safe,
    _session_cands,
    _visible_mask,
    _why,
)
from kkot.recommendations.selectors.fallback import FALLBACK_CACHE_SECONDS, _popular_fallback  # noqa: F401
from kkot.recommendations.selectors.widgets import (  # noqa: F401
    _for_you,
    _product_text,
    bought_together,
    cart_addons,
    cart_widgets,
    for_you,
    for_you_from_history,
    home_widgets,
    product_page_widgets,
    session_history,
    similar,
    viewed_together,
)
