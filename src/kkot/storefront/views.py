"""Shopper-facing pages. Thin: parse, call one selector/service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kkot.catalog.selectors import SORTS
from kkot.core.errors import NotFound
from kkot.events.capture import request_identity, request_tracking_allowed
from kkot.events.models import EventKind
from kkot.events.services import event_row, events_append
from kkot.recommendations.pages import page_widgets
from kkot.storefront import pagecache
from kkot.storefront import selectors as sel
from kkot.stores.selectors import followed_stores, is_following
from kkot.stores.services import store_follow, store_unfollow


def _page(request, template: str, ctx: dict, *, page_type: str, store=None, product=None, status: int = 200):
    ctx.update(kk_tracking=request_tracking_allowed(request), kk_page=page_type,
               kk_store_id=store.pk if store else None, kk_product_id=product.pk if product else None)
    return render(request, template, ctx, status=status)


def _store_or_404(slug: str):
    try:
        return sel.store_for_shopper(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _query_without(request, *keys: str) -> str:
    q = request.GET.copy()
    for k in keys:
        q.pop(k, None)
    return q.urlencode()


@require_GET
def healthz(request):
    return JsonResponse({"ok": True})


@require_GET
def home(request):
    ctx = sel.home_sections()
    ctx["recs"] = page_widgets(request, "home")
    return _page(request, "storefront/home.html", ctx, page_type="home")


@require_GET
def store_home(request, slug: str):
    store = _store_or_404(slug)
    ctx = sel.store_home_sections(store=store)
    ctx.update(store=store, following=is_following(store=store, user=request.user),
               recs=page_widgets(request, "store", store=store))
    return _page(request, "storefront/store_home.html", ctx, page_type="store", store=store)


def _listing(request, *, store, category):
    params = sel.parse_listing_params(request.GET)
    head = sel.product_listing_head(store=store, category=category, params=params)

    def build():
        listing = sel.product_listing(store=store, category=category, params=params)
        return pagecache.render_parts("storefront/_category_body.html", {
            "store": store, "category": category, "listing": listing, "sorts": SORTS.items(),
            "breadcrumbs": sel.category_chain(category), "children": sel.category_children(category),
            "qs_no_page": _query_without(request, "page"), "qs_no_sort": _query_without(request, "sort", "page"),
        })

    key = pagecache.fragment_key("listing", store.pk if store else "", category.pk, category.path,
                                 request.get_full_path(), *head.fingerprint)
    ctx = {"store": store, "category": category, "body": pagecache.safe(pagecache.cached_fragment(key, build))}
    return _page(request, "storefront/category.html", ctx, page_type="category", store=store)


@require_GET
def category(request, cat_slug: str):
    try:
        cat = sel.category_public_get(slug=cat_slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _listing(request, store=None, category=cat)


@require_GET
def store_category(request, slug: str, cat_slug: str):
    store = _store_or_404(slug)
    try:
        cat = sel.category_public_get(slug=cat_slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _listing(request, store=store, category=cat)


@require_GET
def product(request, slug: str, product_id: int):
    try:
        head = sel.product_page_head(store_slug=slug, product_id=product_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc

    def build():
        page = sel.product_page(store_slug=slug, product_id=product_id)
        return pagecache.render_parts(
            "storefront/_product_body.html",
            {"page": page, "p": page.product, "store": page.store, "request": request},
            split=("<!--kk:content-->", pagecache.CSRF, pagecache.FOLLOW))

    key = pagecache.fragment_key("product", request.path, *head.fingerprint)
    ctx = {"body": pagecache.safe(pagecache.cached_fragment(key, build)), "p": head.product, "store": head.store,
           "following": is_following(store=head.store, user=request.user)}
    return _page(request, "storefront/product.html", ctx, page_type="product", store=head.store,
                 product=head.product)


@require_GET
def product_extras(request, slug: str, product_id: int):
    """The personal and model-driven parts of a product page (delivery promise, recommendation widgets),
    fetched by the page after it is shown, so the page itself never waits on them."""
    try:
        head = sel.product_page_head(store_slug=slug, product_id=product_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    from kkot.recommendations.outfit import outfit_widget  # 코디 추천 (fashion only; empty otherwise)

    outfit = outfit_widget(product=head.product)
    return render(request, "storefront/_product_extras.html",
                  {"p": head.product, "store": head.store,
                   "recs": page_widgets(request, "product", product=head.product) + ([outfit] if outfit.items else [])})


def _search(request, *, store):
    q = (request.GET.get("q") or "").strip()[:100]
    params = sel.parse_listing_params(request.GET)
    ctx = {"store": store, "q": q, "sorts": [("relevance", _("정확도순")), *SORTS.items()],
           "qs_no_page": _query_without(request, "page"), "qs_no_sort": _query_without(request, "sort", "page"),
           "result": None, "highlights": {}, "products": [], "total": 0, "fallback": False}
    if q:
        sort = request.GET.get("sort") or "relevance"
        try:
            category_id = sel.valid_id(request.GET["category"]) if request.GET.get("category") else None
            store_id = store.pk if store else (sel.valid_id(request.GET["store"]) if request.GET.get("store") else None)
        except NotFound:
            category_id = store_id = None
        try:
            from kkot.search.selectors import SearchQuery, search_products
        except ImportError:
            products, total = sel.search_fallback(q=q, store=store, page=params.page)
            ctx.update(products=products, total=total, fallback=True, page=params.page,
                       pages=max(1, -(-total // sel.PER_PAGE)))
        else:
            result = search_products(SearchQuery(
                q=q, store_id=store_id, category_id=category_id, min_price=params.min_price,
                max_price=params.max_price, attributes=params.attributes, in_stock=params.in_stock,
                sort=sort if sort in dict(ctx["sorts"]) else "relevance", page=params.page, per_page=sel.PER_PAGE,
            ))
            ctx.update(result=result, products=list(result.products), total=result.total,
                       highlights=result.highlights or {}, page=result.page,
                       pages=max(1, -(-result.total // max(1, result.per_page))), facets=result.facets or {},
                       attr_facets=_attribute_facet_links(request, (result.facets or {}).get("attributes") or {}))
        for p in ctx["products"]:
            p.highlighted = ctx["highlights"].get(p.pk)
        if request_tracking_allowed(request):
            events_append(rows=[event_row(identity=request_identity(request), kind=EventKind.SEARCH,
                                          store_id=store.pk if store else None, page_type="search", query=q,
                                          result_count=ctx["total"])])
    return _page(request, "storefront/search.html", ctx, page_type="search", store=store)


def _attribute_facet_links(request, counts: dict) -> list[dict]:
    names = sel.attribute_names()
    out = []
    for code, values in counts.items():
        links = []
        for value, n in list(values.items())[:20]:
            q = request.GET.copy()
            q.pop("page", None)
            selected = value in q.getlist(f"attr_{code}")
            q.setlist(f"attr_{code}", [value])
            links.append({"value": value, "n": n, "selected": selected, "qs": q.urlencode()})
        out.append({"code": code, "name": names.get(code, code), "values": links})
    return out


@require_GET
def search(request):
    return _search(request, store=None)


@require_GET
def store_search(request, slug: str):
    return _search(request, store=_store_or_404(slug))


@require_POST
def follow(request, slug: str):
    store = _store_or_404(slug)
    back = request.POST.get("next") or reverse("storefront:store", args=[store.slug])
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("storefront:store", args=[store.slug])
    if not request.user.is_authenticated:
        messages.info(request, _("단골을 맺으려면 로그인해 주세요."))
        return redirect(reverse("accounts:login") + "?" + urlencode({"next": back}))
    if request.POST.get("action") == "unfollow":
        changed = store_unfollow(store=store, user=request.user)
        kind, msg = EventKind.UNFOLLOW, _("%(store)s 단골을 해제했습니다.")
    else:
        changed = store_follow(store=store, user=request.user)
        kind, msg = EventKind.FOLLOW, _("%(store)s 단골이 되었습니다.")
    if changed and request_tracking_allowed(request):
        events_append(rows=[event_row(identity=request_identity(request), kind=kind, store_id=store.pk,
                                      page_type="store")])
    messages.success(request, msg % {"store": store.name})
    return redirect(back)


@login_required
@require_GET
def me(request):
    ctx = {"stores": list(followed_stores(user=request.user)[:100])}
    return _page(request, "storefront/me.html", ctx, page_type="me")
