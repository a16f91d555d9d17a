"""Korean reason lines, rendered only from stored counts (see :class:`kkot.ml.recs.Reason`): never invented."""

from __future__ import annotations

from django.utils.translation import gettext as _


def _has_batchim(text: str) -> bool | None:
    """Whether the last Hangul syllable has a final consonant (None when the text does not end in Hangul)."""
    for ch in reversed(text.strip()):
        if ch in "'\")]}» ":
            continue
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            return code % 28 != 0
        return None
    return None


def with_josa(word: str, pair: tuple[str, str]) -> str:
    """``'린넨 셔츠'와`` / ``'니트'와`` / ``'청바지'와``: the particle that fits the word (both when unknown)."""
    b = _has_batchim(word)
    return word + (pair[0] if b else pair[1]) if b is not None else f"{word}{pair[1]}({pair[0]})"


def quoted(name: str, limit: int = 24) -> str:
    name = (name or "").strip()
    return "'" + (name if len(name) <= limit else name[: limit - 1] + "…") + "'"


def co_view(*, anchor_name: str, anchor_is_page: bool, count: int, in_cart: bool = False) -> str:
    if anchor_is_page:
        return _("이 상품을 본 고객이 함께 많이 본 상품 (함께 본 방문 %(n)d회)") % {"n": count}
    anchor = with_josa(quoted(anchor_name), ("과", "와"))
    if in_cart:
        return _("장바구니의 %(anchor)s 함께 많이 본 상품") % {"anchor": anchor}
    return _("최근 본 %(anchor)s 함께 많이 본 상품") % {"anchor": anchor}


def co_view_neighbours() -> str:
    return _("최근 본 상품을 본 다른 고객들이 함께 본 상품")


def co_buy(*, anchor_name: str, anchor_is_page: bool, share: float, count: int) -> str:
    pct = round(100 * share)
    if anchor_is_page:
        if pct >= 1:
            return _("이 상품을 구매한 주문의 %(pct)d%%가 함께 구매") % {"pct": pct}
        return _("이 상품과 함께 구매한 주문 %(n)d건") % {"n": count}
    return _("%(anchor)s 함께 구매한 주문 %(n)d건") % {"anchor": with_josa(quoted(anchor_name), ("과", "와")),
                                                    "n": count}


def similar(*, anchor_name: str, anchor_is_page: bool, days_ago: int | None, member: bool) -> str:
    if anchor_is_page:
        return _("이 상품과 이름·속성이 비슷한 상품")
    who = _("회원님") if member else _("고객님")
    anchor = with_josa(quoted(anchor_name), ("과", "와"))
    if days_ago is None:
        return _("%(who)s이 본 %(anchor)s 비슷한 스타일") % {"who": who, "anchor": anchor}
    if days_ago <= 0:
        return _("%(who)s이 오늘 본 %(anchor)s 비슷한 스타일") % {"who": who, "anchor": anchor}
    return _("%(who)s이 %(d)d일 전 본 %(anchor)s 비슷한 스타일") % {"who": who, "d": days_ago, "anchor": anchor}


def new_similar(*, anchor_name: str) -> str:
    return _("새로 들어온 상품 · %(anchor)s 비슷해요") % {"anchor": with_josa(quoted(anchor_name), ("과", "와"))}


def popular_in(*, category_name: str) -> str:
    return _("%(cat)s 인기 상품") % {"cat": quoted(category_name)}
