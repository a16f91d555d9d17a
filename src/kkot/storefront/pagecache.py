"""Rendered-HTML cache for the non-personal parts of storefront pages.

A cached fragment is keyed by a *fingerprint*: every value that the fragment shows and that can change without
the page code knowing (prices, sale state at this moment, stock, status, names, counters, ``updated_at`` of the
product and its store), read with one small query per request. A write anywhere (seller center, checkout,
bulk import, a raw ``UPDATE``) changes the fingerprint, so the next request renders afresh: nothing is purged
and nothing is shared between processes (the LocMem cache of each worker, or Redis, works the same way).

Sale boundaries: the fingerprint holds whether the sale is active *now*, so the request after
``sale_ends_at`` gets a new key. Values not in a fingerprint (category names, attribute names, image alts)
are at most :data:`FRAGMENT_SECONDS` old, like the existing small reference caches.

Personal bits (login state, cart badge, CSRF token, the follow button, messages) are never inside a cached
fragment: fragments are rendered without a request and with placeholders where the page puts personal HTML.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

FRAGMENT_SECONDS = 300
CSRF = "<!--kk:csrf-->"
FOLLOW = "<!--kk:follow-->"
_VERSION = "1"  # bump when fragment templates change shape


def fragment_key(kind: str, *parts) -> str:
    raw = "\x1f".join(str(p) for p in (_VERSION, kind, get_language() or "", *parts))
    return f"kk:sf:frag:{kind}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


def cached_fragment(key: str, build, timeout: int = FRAGMENT_SECONDS):
    """The cached value under ``key`` or ``build()`` stored there (build returns something picklable)."""
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def render_parts(template: str, ctx: dict, *, split: tuple[str, ...] = ()) -> list[str]:
    """Render ``template`` (no request, no context processors) and cut it at each placeholder in ``split``
    (in order), so the page can put per-request HTML between the parts."""
    html = str(render_to_string(template, ctx))
    parts: list[str] = []
    for marker in split:
        head, sep, html = html.partition(marker)
        if not sep:
            raise ValueError(f"placeholder {marker!r} missing in {template}")
        parts.append(head)
    parts.append(html)
    return parts


def safe(parts: list[str]) -> list[SafeString]:
    return [mark_safe(p) for p in parts]  # noqa: S308 - our own rendered, escaped template output
