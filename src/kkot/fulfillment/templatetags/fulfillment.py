"""``{% tracking_timeline order %}``: the shipment timeline of one order, for pages that already show that order
to its owner (the calling view has done the authorisation)."""

from django import template

from kkot.fulfillment.selectors import tracking_timeline as _timeline

register = template.Library()


@register.inclusion_tag("fulfillment/_timeline.html")
def tracking_timeline(order):
    return {"shipments": _timeline(order_id=order.pk)}
