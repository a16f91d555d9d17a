"""Sanitising seller-written rich text (nh3: Rust ammonia bindings)."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "h2", "h3", "h4", "ul", "ol", "li", "blockquote",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitize_html(value: str) -> str:
    """Remove scripts, event handlers, styles and unknown tags; links get rel=noopener nofollow."""
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow ugc",
    )


def html_to_text(value: str) -> str:
    return " ".join(nh3.clean(value or "", tags=set()).split())
