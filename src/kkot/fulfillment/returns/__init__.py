"""Return pickups (회수), inspection (검수), restock or dispose, the refund and an exchange's replacement.

One :class:`ReturnCase` per accepted return or exchange claim. Its state machine (every transition validated by
:func:`_transition`, written as a ``ReturnCaseEvent`` audit row and an ``OrderEvent`` on the order's timeline,
its notifications sent after commit)::

    회수요청 → 회수중 → 회수완료·검수대기 → 검수통과 | 검수불합격 → 재입고 | 폐기 → 완료            (return: refunded)
                                                                    └→ 교환 재배송중 → 완료    (exchange)
    회수요청 | 회수중 → 회수실패 → 회수요청 (a new pickup)          검수불합격 → 반품거절 (no refund)

- The pickup is a reverse :class:`Shipment` (kind ``pickup``: from the shopper's address to the store's warehouse)
  requested through the carrier adapter (``request_pickup``); its tracking events arrive like any parcel's
  (simulated carrier, webhook, upload) and move the case (집하 → 회수중, 배송완료 → 회수완료).
- Stock: 재입고 is a ``return_restock`` movement into the warehouse the seller chooses; 폐기 a ``dispose``
  movement with its reason that changes no balance (the units left with the parcel and never come back).
- Refund: through the orders app's refund path (:func:`claim_return_refund`), after the inspection when the
  store's :class:`ReturnPolicy` says "검수 후 환불" (the default), or at once when the pickup is requested.
- Exchange: after a passed inspection the replacement options are reserved and shipped through the ledger
  (:func:`claim_exchange_ship`) with a tracked ``replacement`` shipment; when an option is sold out the seller
  converts the exchange into a return and it is refunded like one.
"""

from kkot.fulfillment.returns.inspection import (
    exchange_convert_to_return,
    exchange_replacement_ship,
    return_dispose,
    return_inspect,
    return_reject,
    return_restock,
)
from kkot.fulfillment.returns.machine import (
    OPEN,
    TRANSITIONS,
    return_case_notify,
    return_policy,
    return_policy_update,
)
from kkot.fulfillment.returns.pickup import claim_accept, return_pickup_retry, return_tracking_progress

__all__ = [
    "OPEN",
    "TRANSITIONS",
    "claim_accept",
    "exchange_convert_to_return",
    "exchange_replacement_ship",
    "return_case_notify",
    "return_dispose",
    "return_inspect",
    "return_pickup_retry",
    "return_policy",
    "return_policy_update",
    "return_reject",
    "return_restock",
    "return_tracking_progress",
]
