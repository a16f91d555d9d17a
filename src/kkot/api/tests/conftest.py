from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from kkot.accounts.services import api_token_create
from kkot.core.testing import image_bytes, make_product, make_store, make_user, upload


@dataclass
class Seller:
    user: object
    store: object
    token: str
    client: Client

    def call(self, method: str, path: str, data=None, **extra):
        return call(self.client, method, path, data, token=self.token, **extra)


def call(client: Client, method: str, path: str, data=None, *, token: str | None = None, **extra):
    """One API request; dicts/lists go as JSON, str/bytes as a raw JSON body."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    headers.update(extra)
    fn = getattr(client, method.lower())
    if method.upper() in ("GET", "DELETE") and data is None:
        return fn(path, **headers)
    if method.upper() == "GET":
        return fn(path, data, **headers)
    body = data if isinstance(data, str | bytes) else json.dumps(data if data is not None else {})
    return fn(path, body, content_type="application/json", **headers)


def new_seller(slug: str, *, role_user=None) -> Seller:
    store = make_store(slug=slug, name=f"{slug} 상점")
    user = store.memberships.get().user
    _token, raw = api_token_create(user=user, store=store, name="test")
    return Seller(user=user, store=store, token=raw, client=Client())


@pytest.fixture
def seller(db) -> Seller:
    s = new_seller("alpha")
    return s


@pytest.fixture
def other(db) -> Seller:
    return new_seller("bravo")


@pytest.fixture
def product(seller):
    from kkot.catalog.services import product_image_add

    p = make_product(store=seller.store, code="A-1")
    product_image_add(product=p, actor=seller.user, upload=upload(image_bytes()))
    return p


@pytest.fixture
def anon() -> Client:
    return Client()


__all__ = ["Seller", "call", "new_seller", "make_user"]
