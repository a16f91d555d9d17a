"""Stock reservation for orders: taken at checkout, given back on payment failure, timeout and cancellation,
put back on the shelf on accepted returns, and taken out of the warehouse at dispatch.

Since the fulfillment issue these delegate to the per-warehouse ledger in :mod:`kkot.inventory.services`
(ADR 0007): every call writes StockMovement rows and keeps ``Variant.stock`` (the available-to-sell number
everything else reads) in the same transaction, under row locks taken in id order, so stock is never oversold
and concurrent checkouts cannot deadlock.
"""

from __future__ import annotations

from kkot.inventory import services as inventory
from kkot.inventory.services.ledger import refresh_products


def stock_reserve(*, quantities: dict[int, int]) -> None:
    """Take ``{variant_id: qty}`` from available stock or raise Conflict(out_of_stock) having taken nothing.
    Must run inside a transaction."""
    inventory.inventory_reserve(quantities=quantities)


def stock_release(*, quantities: dict[int, int], ref: str = "") -> None:
    """Give reserved units back (payment failed/expired, cancelled before dispatch)."""
    inventory.inventory_release(quantities=quantities, ref=ref)


def stock_restock(*, quantities: dict[int, int], ref: str = "") -> None:
    """Returned units go back on the shelf (approved return; the returned side of an exchange)."""
    inventory.inventory_restock(quantities=quantities, ref=ref)


def stock_ship(*, order, actor=None, at=None) -> None:
    """Dispatch of an order: its remaining (not cancelled) units leave the warehouse."""
    inventory.inventory_ship(
        lines=[(ln.variant_id, ln.quantity - ln.cancelled_qty, ln.pk) for ln in order.lines.all()],
        ref=order.number, actor=actor, at=at)


def stock_ship_lines(*, lines: list[tuple[int, int, int | None]], ref: str = "", actor=None) -> None:
    """Dispatch of reserved units outside an order's own shipment (an exchange's replacement)."""
    inventory.inventory_ship(lines=lines, ref=ref, actor=actor)


def _refresh_products(product_ids: set[int]) -> None:  # kept for callers of the old module
    refresh_products(product_ids)
