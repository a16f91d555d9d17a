"""Payment providers. See :mod:`kkot.orders.payments.base` for the interface a PG adapter implements."""

from kkot.orders.payments.base import (
    ChargeResult,
    PaymentProvider,
    ProviderError,
    RefundResult,
    WebhookEvent,
    get_provider,
    providers,
    sign,
)

__all__ = ["ChargeResult", "PaymentProvider", "ProviderError", "RefundResult", "WebhookEvent", "get_provider",
           "providers", "sign"]
