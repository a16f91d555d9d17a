"""``{% delivery_promise_for p %}`` (product page) and ``{% checkout_promise lines postcode %}`` (checkout).

Both render outside any cached fragment: the promise depends on the shopper's postcode and on the clock."""

from django import template

from kkot.fulfillment.promise import delivery_promise_for_products

register = template.Library()


def _postcode(request) -> str:
    from kkot.orders.models import Address
    from kkot.orders.selectors.cart import MAINLAND_POSTCODE

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        pc = (Address.objects.filter(user=user).order_by("-is_default", "pk").values_list("postcode", flat=True)
              .first())
        if pc:
            return pc
    return MAINLAND_POSTCODE


@register.inclusion_tag("fulfillment/_promise.html", takes_context=True)
def delivery_promise_for(context, product):
    postcode = _postcode(context.get("request"))
    return {"promise": delivery_promise_for_products(products=[product], postcode=postcode), "postcode": postcode,
            "where": "product"}


@register.inclusion_tag("fulfillment/_promise.html")
def checkout_promise(lines, postcode):
    products = [ln.variant.product for ln in lines]
    promise = delivery_promise_for_products(products=products, postcode=postcode) if products else None
    return {"promise": promise, "postcode": postcode, "where": "checkout"}
