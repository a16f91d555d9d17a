"""Who may see and change what in the seller center.

Every store page goes through :func:`seller_page`: the user must be logged in, must be a member of the store
named by the ``slug`` in the URL (otherwise 404: another store's existence is never revealed), and a POST
needs the page's write role (viewer: read only; manager: everything but staff; owner: everything).
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from kkot.core.errors import NotFound
from kkot.stores.models import StoreMembership
from kkot.stores.selectors import membership_get
from kkot.stores.services import ROLE_RANK

Role = StoreMembership.Role


def accounts_url(name: str, next_url: str) -> str:
    """``/accounts/<name>/?next=...``; the named URL when the accounts pages define it."""
    try:
        base = reverse(f"accounts:{name}")
    except NoReverseMatch:
        base = f"/accounts/{name}/"
    return f"{base}?{urlencode({'next': next_url})}"


def has_role(membership: StoreMembership, role: str) -> bool:
    return ROLE_RANK[Role(membership.role)] >= ROLE_RANK[Role(role)]


def seller_page(*, write_role: str = Role.MANAGER, methods: tuple[str, ...] = ("GET", "POST")):
    """Decorator for store pages: ``view(request, membership, **kwargs)``.

    ``request.store`` and ``request.membership`` are set; ``can_edit`` tells templates to disable forms.
    The decorated view carries ``sc_methods`` and ``sc_write_role`` so tests can walk every page.
    """

    def deco(view):
        @functools.wraps(view)
        def wrapper(request, slug: str, **kwargs):
            if not request.user.is_authenticated:
                return redirect(accounts_url("login", request.get_full_path()))
            try:
                membership = membership_get(user=request.user, slug=slug)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            if request.method not in methods and not (request.method == "HEAD" and "GET" in methods):
                return HttpResponseNotAllowed(methods)
            request.membership = membership
            request.store = membership.store
            request.can_edit = has_role(membership, write_role)
            if request.method == "POST" and not request.can_edit:
                messages.error(request, _("이 작업을 할 권한이 없습니다. 스토어 대표에게 권한을 요청해 주세요."))
                back = request.path if "GET" in methods else reverse("sellercenter:dashboard", args=[slug])
                return redirect(back)
            return view(request, membership, **kwargs)

        wrapper.sc_methods = methods
        wrapper.sc_write_role = write_role
        return wrapper

    return deco


def _unread(store) -> int:
    from kkot.orders.selectors.seller import store_unread_count

    return store_unread_count(store=store)


def ctx(request, **extra) -> dict:
    """Context every store page needs (side nav, role)."""
    m = request.membership
    base = {
        "store": m.store,
        "membership": m,
        "can_edit": request.can_edit,
        "is_owner": m.role == Role.OWNER,
        "nav_unread": lambda: _unread(m.store),  # evaluated by the nav only: one COUNT per page
    }
    base.update(extra)
    return base
