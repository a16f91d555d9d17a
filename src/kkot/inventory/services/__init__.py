"""Stock writes (the per-warehouse ledger of ADR 0007), one module per responsibility:

- :mod:`.ledger`: locks, movements, lazy opening balances and the cached ``Variant.stock`` (read its doc first);
- :mod:`.warehouses`: a store's warehouses and its default one;
- :mod:`.order_flow`: reserve, release, ship, restock and dispose of units for orders and returns;
- :mod:`.seller`: a seller's receipts, adjustments and ledger sync;
- :mod:`.back_in_stock`: 재입고 알림 requests.

The public services are re-exported here, so callers import them from ``kkot.inventory.services``.
"""

from kkot.inventory.services.back_in_stock import back_in_stock_request
from kkot.inventory.services.ledger import EFFECTS, OPENING_REASON, SYNC_REASON
from kkot.inventory.services.order_flow import (
    inventory_dispose,
    inventory_release,
    inventory_reserve,
    inventory_restock,
    inventory_ship,
)
from kkot.inventory.services.seller import (
    MAX_QTY,
    stock_adjust,
    stock_receive,
    stock_sync,
    stock_sync_if_needed,
)
from kkot.inventory.services.warehouses import (
    CODE_RE,
    warehouse_create,
    warehouse_default,
    warehouse_set_default,
)

__all__ = [
    "CODE_RE",
    "EFFECTS",
    "MAX_QTY",
    "OPENING_REASON",
    "SYNC_REASON",
    "back_in_stock_request",
    "inventory_dispose",
    "inventory_release",
    "inventory_reserve",
    "inventory_restock",
    "inventory_ship",
    "stock_adjust",
    "stock_receive",
    "stock_sync",
    "stock_sync_if_needed",
    "warehouse_create",
    "warehouse_default",
    "warehouse_set_default",
]
