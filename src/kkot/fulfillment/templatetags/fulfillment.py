"""``{% tracking_timeline order %}``: the shipment timeline of one order (its parcel, return pickups and an
exchange's replacement) with the progress of its return cases, for pages that already show that order to its
owner (the calling view has done the authorisation)."""

from django import template

from kkot.fulfillment.selectors import return_case_for_order
from kkot.fulfillment.selectors import tracking_timeline as _timeline

register = template.Library()


@register.inclusion_tag("fulfillment/_timeline.html")
def tracking_timeline(order):
    from kkot.orders.services.lifecycle import CARRIERS

    shipments = _timeline(order_id=order.pk)
    for s in shipments:
        s["carrier_name"] = CARRIERS.get(s["shipment"].carrier, (s["shipment"].carrier, ""))[0]
    return {"shipments": shipments, "return_cases": return_case_for_order(order_id=order.pk)}
