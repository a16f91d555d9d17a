from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def shop_counts(context):
    """{"cart": n, "unread": n} for the header badges (cached; no query for a visitor without a cart)."""
    request = context.get("request")
    if request is None or not hasattr(request, "user"):
        return {"cart": 0, "unread": 0}
    from kkot.orders.selectors.cart import header_counts

    token = request.session.get("cart_token") if hasattr(request, "session") else None
    return header_counts(user=request.user, cart_token=token)
