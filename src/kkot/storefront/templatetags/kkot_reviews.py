"""Review bits for storefront templates: star strings and the review actions of an order's lines."""

from django import template

register = template.Library()


@register.filter
def star_string(n) -> str:
    try:
        n = max(0, min(5, int(n)))
    except (TypeError, ValueError):
        n = 0
    return "★" * n + "☆" * (5 - n)


@register.inclusion_tag("storefront/reviews/_order_actions.html", takes_context=True)
def order_review_actions(context, order, line_views):
    """Per line of a delivered/confirmed order: write, edit, or the 한달사용리뷰 (with when it opens)."""
    from kkot.reviews.selectors import review_state_for_lines

    request = context.get("request")
    lines = [lv.line for lv in line_views]
    for ln in lines:
        ln.order = order
    state = review_state_for_lines(user=request.user, lines=lines) if request else {}
    return {"order": order, "rows": [(ln, state.get(ln.pk, {})) for ln in lines]}
