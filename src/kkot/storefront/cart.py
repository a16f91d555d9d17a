"""The shopper's cart handle for page views: a guest cart keyed by a random ``cart_token`` kept in the session
(it survives the session-key rotation at login), merged into the member's cart the first time a logged-in
shopper's cart is read."""

from __future__ import annotations

import secrets

from kkot.orders.selectors.cart import header_counts_forget
from kkot.orders.services.cart import cart_get, cart_merge

CART_TOKEN = "cart_token"


def request_cart(request, *, create: bool = False):
    token = request.session.get(CART_TOKEN)
    user = request.user
    if user.is_authenticated:
        if token:
            cart = cart_merge(user=user, session_key=token)
            request.session.pop(CART_TOKEN, None)
            header_counts_forget(user=user, cart_token=token)
            if cart is None and create:
                cart = cart_get(user=user, create=True)
            return cart
        return cart_get(user=user, create=create)
    if not token:
        if not create:
            return None
        token = secrets.token_urlsafe(24)
        request.session[CART_TOKEN] = token
    return cart_get(session_key=token, create=create)


def forget_counts(request) -> None:
    header_counts_forget(user=request.user, cart_token=request.session.get(CART_TOKEN))
