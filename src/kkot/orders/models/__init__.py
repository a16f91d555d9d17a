from kkot.orders.models.cart import Address, Cart, CartItem
from kkot.orders.models.claims import SHOPPER_PAYS, Claim, ClaimKind, ClaimLine, ClaimReason, ClaimStatus
from kkot.orders.models.coupons import Coupon, CouponRedemption
from kkot.orders.models.notifications import Notification, WebhookDelivery
from kkot.orders.models.orders import Order, OrderEvent, OrderLine, OrderStatus, Purchase
from kkot.orders.models.payments import Payment, PaymentStatus, PaymentWebhookEvent, Refund
from kkot.orders.models.settlement import SettlementLine

__all__ = [
    "SHOPPER_PAYS", "Address", "Cart", "CartItem", "Claim", "ClaimKind", "ClaimLine", "ClaimReason", "ClaimStatus",
    "Coupon", "CouponRedemption", "Notification", "Order", "OrderEvent", "OrderLine", "OrderStatus", "Payment",
    "PaymentStatus", "PaymentWebhookEvent", "Purchase", "Refund", "SettlementLine", "WebhookDelivery",
]
