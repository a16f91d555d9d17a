"""Claims of demo orders (cancel, partial cancel, return, exchange) with their lines, refunds and audit rows,
the way :mod:`kkot.orders.services.claims` leaves them."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import datetime
from decimal import Decimal

from kkot.demo.orders.rows import DbValues, LineDraft, StoreInfo, Table
from kkot.demo.orders.rules import DETAILS, REJECT_REASONS, S
from kkot.demo.orders.timeline import ClaimPlan
from kkot.orders.models import ClaimKind, ClaimStatus
from kkot.orders.pricing import ZERO, discount_share
from kkot.orders.services.claims import return_shipping_fee


def return_pick(rnd: random.Random, qtys: list[int]) -> list[tuple[int, int]]:
    """Which units a return takes back, as (line index, units): everything (most), one line of several, or
    some units of a single line."""
    if len(qtys) > 1 and rnd.random() < 0.35:
        i = rnd.randrange(len(qtys))
        return [(i, qtys[i])]
    if len(qtys) == 1 and qtys[0] > 1 and rnd.random() < 0.2:
        return [(0, rnd.randint(1, qtys[0] - 1))]
    return list(enumerate(qtys))


class ClaimWriter:
    def __init__(
        self, rnd: random.Random, *, end: datetime, tables: dict[str, Table], db: DbValues, stats: Counter
    ):
        self.rnd, self.end, self.t, self.db, self.stats = rnd, end, tables, db, stats

    def write(
        self,
        oid: int,
        uid: int,
        store: StoreInfo,
        lines: list[LineDraft],
        fee: Decimal,
        claim: ClaimPlan,
        rejected: bool,
        whole_return: bool,
        return_picks: list[tuple[LineDraft, int]],
        pay: dict,
    ) -> tuple[Decimal, datetime | None, Decimal]:
        """Write the claim, its lines, refund and audit rows; update the lines' cancelled/returned units.
        Returns (refunded, returned at, return shipping fee kept by the store)."""
        detail = self.rnd.choice(DETAILS[claim.reason])
        if claim.kind in ("cancel", "partial_cancel"):
            return self._cancel(oid, uid, lines, fee, claim, detail, pay)
        return self._after_delivery(
            oid, uid, store, lines, fee, claim, detail, rejected, whole_return, return_picks, pay
        )

    def _cancel(self, oid, uid, lines, fee, claim, detail, pay) -> tuple[Decimal, None, Decimal]:
        rnd, dt, js, ev = self.rnd, self.db.dt, self.db.js, self.t["event"]
        kind, t_req, _t_res, _t_done, reason = claim
        if kind == "cancel":
            picked = [(ln, ln.quantity) for ln in lines]
        else:
            ln = lines[rnd.randrange(len(lines))]
            picked = [(ln, ln.quantity if len(lines) > 1 else rnd.randint(1, ln.quantity - 1))]
        refund = sum(
            (ln.unit_price * q - discount_share(ln.discount, ln.quantity, 0, q) for ln, q in picked), ZERO
        )
        for ln, q in picked:
            ln.cancelled_qty += q
        if kind == "cancel":
            refund += fee
        cid = self._rows(
            oid,
            ClaimKind.CANCEL,
            ClaimStatus.COMPLETED,
            reason,
            detail,
            uid,
            ZERO,
            refund,
            "",
            t_req,
            t_req,
            picked,
        )
        ev.add(
            oid,
            "claim_cancel_requested",
            "",
            "",
            uid,
            "shopper",
            detail or reason,
            js({"claim": cid, "lines": {str(ln.id): q for ln, q in picked}}),
            dt(t_req),
        )
        self._refund(pay, cid, oid, refund, "주문 취소", t_req)
        if kind == "partial_cancel":
            ev.add(
                oid,
                "partial_cancel",
                "",
                "",
                uid,
                "shopper",
                "",
                js({"claim": cid, "refund": int(refund)}),
                dt(t_req),
            )
        self.stats[f"claim_{kind}"] += 1
        return refund, None, ZERO

    def _after_delivery(
        self, oid, uid, store, lines, fee, claim, detail, rejected, whole_return, return_picks, pay
    ) -> tuple[Decimal, datetime | None, Decimal]:
        """A return or an exchange, up to where it stands at "now"."""
        rnd, end, dt, js, ev = self.rnd, self.end, self.db.dt, self.db.js, self.t["event"]
        owner = store.owner_id
        kind, t_req, t_res, t_done, reason = claim
        if kind == "return":
            picked = [(ln, q, None) for ln, q in return_picks]
            cid_status = (
                ClaimStatus.REQUESTED
                if t_res > end
                else (ClaimStatus.REJECTED if rejected else ClaimStatus.COMPLETED)
            )
        else:
            picked = self._exchange_pick(lines)
            cid_status = (
                ClaimStatus.REQUESTED
                if t_res > end
                else ClaimStatus.APPROVED
                if t_done > end
                else ClaimStatus.COMPLETED
            )
        refund = ret_fee = ZERO
        if kind == "return" and cid_status == ClaimStatus.COMPLETED:
            gross = sum(
                (ln.unit_price * q - discount_share(ln.discount, ln.quantity, 0, q) for ln, q, _e in picked),
                ZERO,
            )
            ret_fee = return_shipping_fee(
                reason=reason, base_fee=store.policy.base_fee, order_shipping_fee=fee, refund=gross
            )
            refund = gross - ret_fee
            for ln, q, _e in picked:
                ln.returned_qty += q
        cid = self._rows(
            oid,
            kind,
            cid_status,
            reason,
            detail,
            uid,
            ret_fee,
            refund,
            rnd.choice(REJECT_REASONS) if cid_status == ClaimStatus.REJECTED else "",
            t_req,
            t_res if cid_status != ClaimStatus.REQUESTED else None,
            [(ln, q) for ln, q, _e in picked],
            [e for _ln, _q, e in picked],
        )
        ev.add(
            oid,
            f"claim_{kind}_requested",
            "",
            "",
            uid,
            "shopper",
            detail or reason,
            js({"claim": cid, "lines": {str(ln.id): q for ln, q, _e in picked}}),
            dt(t_req),
        )
        returned_at = None
        if cid_status == ClaimStatus.REJECTED:
            ev.add(
                oid, "claim_return_rejected", "", "", owner, "seller", REJECT_REASONS[0], js({}), dt(t_res)
            )
        elif kind == "return" and cid_status == ClaimStatus.COMPLETED:
            self._refund(pay, cid, oid, refund, "반품", t_res)
            ev.add(
                oid,
                "claim_return_approved",
                "",
                "",
                owner,
                "seller",
                "",
                js({"claim": cid, "refund": int(refund), "return_shipping_fee": int(ret_fee)}),
                dt(t_res),
            )
            if whole_return:
                ev.add(
                    oid, "status", S.DELIVERED, S.RETURNED, owner, "seller", "전체 반품", js({}), dt(t_res)
                )
                returned_at = t_res
        elif kind == "exchange" and cid_status != ClaimStatus.REQUESTED:
            ev.add(oid, "claim_exchange_approved", "", "", owner, "seller", "", js({"claim": cid}), dt(t_res))
            if cid_status == ClaimStatus.COMPLETED:
                ev.add(oid, "claim_exchange_completed", "", "", owner, "seller", "", js({}), dt(t_done))
        self.stats[f"claim_{kind}"] += 1
        self.stats[f"claim_{kind}_{cid_status}"] += 1
        return refund, returned_at, ret_fee

    def _rows(
        self,
        oid,
        kind,
        status,
        reason,
        detail,
        uid,
        ret_fee,
        refund,
        reject,
        created,
        resolved,
        picked,
        exchange=None,
    ) -> int:
        dt = self.db.dt
        cid = self.t["claim"].add(
            oid,
            kind,
            status,
            reason,
            detail,
            uid,
            int(ret_fee),
            int(refund),
            reject,
            dt(created),
            dt(resolved),
        )
        for i, (ln, q) in enumerate(picked):
            self.t["claim_line"].add(cid, ln.id, q, exchange[i] if exchange else None)
        return cid

    def _refund(self, pay, cid, oid, amount, reason, at) -> None:
        if amount <= 0:
            return
        key = f"claim-{cid}"
        prefix = "vbr_" if pay["provider"].code == "bank_transfer" else "tcr_"
        self.t["refund"].add(
            pay["id"],
            cid,
            oid,
            int(amount),
            key,
            prefix + hashlib.sha256(key.encode()).hexdigest()[:24],
            reason,
            self.db.dt(at),
        )

    def _exchange_pick(self, lines):
        rnd = self.rnd
        options = [ln for ln in lines if len(ln.product.variants) > 1]
        ln = options[rnd.randrange(len(options))]
        other = [v for v in ln.product.variants if v.id != ln.variant.id]
        return [(ln, ln.quantity, other[rnd.randrange(len(other))].id)]
