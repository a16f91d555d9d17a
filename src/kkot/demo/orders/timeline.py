"""When each step of a demo order happens: acceptance, dispatch (per store habit, working days only), delivery,
a claim if any, and purchase confirmation; then where the order stands at "now"."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from kkot.demo.orders.rows import ProductInfo
from kkot.demo.orders.rules import (
    CANCEL,
    CANCEL_SLOW,
    DISPATCH_HABIT,
    EXCHANGE,
    PARTIAL_CANCEL,
    RETURN,
    SHOPPER_CONFIRMS,
    S,
    pick,
)
from kkot.fulfillment.carriers import is_day_off, sits_over_day_off
from kkot.orders.models import ClaimReason


class ClaimPlan(NamedTuple):
    kind: str  # cancel | partial_cancel | return | exchange
    requested: datetime
    resolved: datetime | None
    completed: datetime | None
    reason: str


@dataclass
class Timeline:
    """The moments the order would reach if nothing stopped it (None: never, e.g. unpaid)."""

    accepted: datetime | None = None
    shipped: datetime | None = None
    delivered: datetime | None = None
    confirmed: datetime | None = None
    confirm_role: str = ""
    claim: ClaimPlan | None = None


def not_day_off(t: datetime) -> datetime:
    """The same time on the next day carriers and sellers work (not Sunday, not a public holiday)."""
    while is_day_off(t.date()):
        t += timedelta(days=1)
    return t


class TimelineDraw:
    """Draws timelines from the writer's random stream; store habits come from their own stream, so every other
    random choice stays as it was."""

    def __init__(self, rnd: random.Random, habit_rnd: random.Random, *, end: datetime, auto_days: int):
        self.rnd, self.habit_rnd, self.end, self.auto_days = rnd, habit_rnd, end, auto_days

    def draw(
        self,
        *,
        store_slug: str,
        prods: list[ProductInfo],
        qtys: list[int],
        paid_at: datetime | None,
        region: str,
        slow: bool,
    ) -> Timeline:
        if paid_at is None:
            return Timeline()
        rnd = self.rnd
        acc = self._work(paid_at + timedelta(hours=rnd.uniform(0.3, 20)))
        acc, ship = self._dispatch(store_slug, prods, paid_at, acc, slow)
        transit = (
            pick(rnd, [(1, 0.8), (2, 0.17), (3, 0.03)])
            + (region != "mainland")
            + (rnd.randint(1, 2) if slow else 0)
        )
        deliver = not_day_off(
            (ship + timedelta(days=transit)).replace(
                hour=rnd.randint(10, 20), minute=rnd.randrange(60), second=rnd.randrange(60)
            )
        )
        claim = self._claim(prods, qtys, paid_at, ship, deliver, slow)
        if claim is not None and claim[1] > self.end:
            claim = None  # it has not happened yet
        if claim is not None and claim[0] in ("return", "exchange"):
            confirm = self._auto(max(deliver + timedelta(days=self.auto_days), claim[3] or claim[2]))
            confirm_role = "system"
        elif rnd.random() < SHOPPER_CONFIRMS:
            confirm, confirm_role = deliver + timedelta(hours=rnd.uniform(2, 144)), "shopper"
        else:
            confirm, confirm_role = self._auto(deliver + timedelta(days=self.auto_days)), "system"
        return Timeline(acc, ship, deliver, confirm, confirm_role, claim)

    def _dispatch(
        self, store_slug: str, prods: list[ProductInfo], paid_at: datetime, acc: datetime, slow: bool
    ) -> tuple[datetime, datetime]:
        """(accepted, shipped) after the store's dispatch habit, slowness and days off."""
        rnd = self.rnd
        k = round(max(p.dispatch_days for p in prods) * rnd.uniform(0.1, 0.8))
        ship = (acc + timedelta(days=k)).replace(
            hour=rnd.randint(15, 18), minute=rnd.randrange(60), second=rnd.randrange(60)
        )
        if ship <= acc:
            ship = acc + timedelta(hours=rnd.uniform(1, 4))
        habit, hr = DISPATCH_HABIT.get(store_slug), self.habit_rnd
        if habit == "fast":  # 오늘출발: paid by 14:00 on a working day -> out the same afternoon
            ship = not_day_off(
                paid_at if paid_at.hour < 14 else (paid_at + timedelta(days=1)).replace(hour=9)
            )
            ship = ship.replace(hour=hr.randint(15, 17), minute=hr.randrange(60), second=hr.randrange(60))
            acc = max(
                paid_at + timedelta(minutes=hr.randint(3, 30)), ship - timedelta(hours=hr.uniform(0.5, 3))
            )
            acc = min(acc, ship - timedelta(minutes=5))
        elif habit == "slow":  # packs twice a week: 1-2 days more than it declares
            ship += timedelta(days=hr.randint(1, 2))
        elif habit == "made_to_order":  # 사입 after the order: the declared days, give or take one
            ship += timedelta(days=max(0, max(p.dispatch_days for p in prods) + hr.randint(-1, 1) - k))
        if slow:
            ship += timedelta(days=rnd.uniform(1.5, 3.5))
        ship = not_day_off(ship)
        if any(p.cold_chain for p in prods):  # chilled goods never wait in a hub over a day off
            while sits_over_day_off(ship.date()):
                ship += timedelta(days=1)
        return acc, ship

    def _claim(
        self,
        prods: list[ProductInfo],
        qtys: list[int],
        paid_at: datetime,
        ship: datetime,
        deliver: datetime,
        slow: bool,
    ) -> ClaimPlan | None:
        """A cancellation before dispatch, or a return or exchange after delivery, at the demo's rates."""
        rnd = self.rnd
        r = rnd.random()
        p_cancel = CANCEL_SLOW if slow else CANCEL
        variantful = any(len(p.variants) > 1 for p in prods)
        if r < p_cancel:
            reason = (
                pick(rnd, [(ClaimReason.LATE, 0.5), (ClaimReason.CHANGE_OF_MIND, 0.5)])
                if slow
                else pick(
                    rnd,
                    [(ClaimReason.CHANGE_OF_MIND, 0.8), (ClaimReason.OTHER, 0.15), (ClaimReason.LATE, 0.05)],
                )
            )
            return ClaimPlan(
                "cancel", paid_at + (ship - paid_at) * rnd.uniform(0.05, 0.95), None, None, reason
            )
        if r < p_cancel + PARTIAL_CANCEL and (len(prods) > 1 or qtys[0] > 1):
            return ClaimPlan(
                "partial_cancel",
                paid_at + (ship - paid_at) * rnd.uniform(0.05, 0.95),
                None,
                None,
                ClaimReason.CHANGE_OF_MIND,
            )
        if r < p_cancel + PARTIAL_CANCEL + RETURN:
            t_req = deliver + timedelta(days=rnd.uniform(0.3, 6))
            reason = pick(
                rnd,
                [
                    (ClaimReason.CHANGE_OF_MIND, 0.7),
                    (ClaimReason.DEFECTIVE, 0.18),
                    (ClaimReason.WRONG_ITEM, 0.12),
                ],
            )
            return ClaimPlan("return", t_req, t_req + timedelta(days=rnd.uniform(0.5, 3)), None, reason)
        if r < p_cancel + PARTIAL_CANCEL + RETURN + EXCHANGE and variantful:
            t_req = deliver + timedelta(days=rnd.uniform(0.3, 6))
            t_ok = t_req + timedelta(days=rnd.uniform(0.5, 2))
            reason = pick(
                rnd,
                [
                    (ClaimReason.CHANGE_OF_MIND, 0.6),
                    (ClaimReason.DEFECTIVE, 0.25),
                    (ClaimReason.WRONG_ITEM, 0.15),
                ],
            )
            return ClaimPlan("exchange", t_req, t_ok, t_ok + timedelta(days=rnd.uniform(2, 4)), reason)
        return None

    def _work(self, t: datetime) -> datetime:
        """The next moment in a seller's working hours (09-19h, not on Sunday)."""
        if t.hour >= 19 or t.weekday() == 6:
            t = (t + timedelta(days=1)).replace(hour=9, minute=0, second=0) + timedelta(
                minutes=self.rnd.randint(0, 150)
            )
        elif t.hour < 9:
            t = t.replace(hour=9, minute=0, second=0) + timedelta(minutes=self.rnd.randint(0, 150))
        return not_day_off(t)

    def _auto(self, t: datetime) -> datetime:
        """When the hourly auto-confirm job (at minute 17) first runs at or after ``t``."""
        run = t.replace(minute=17, second=self.rnd.randint(0, 59), microsecond=0)
        return run if run >= t else run + timedelta(hours=1)


def order_status(state: str, tl: Timeline, *, whole_return: bool, end: datetime) -> str:
    """Where the order stands at ``end``."""
    if state == "pending":
        return S.PENDING_PAYMENT
    if state in ("declined", "expired"):
        return S.CANCELLED
    claim = tl.claim
    kind = claim[0] if claim else None
    if kind == "cancel":
        return S.CANCELLED
    if tl.delivered <= end:
        if whole_return and claim[2] <= end:
            return S.RETURNED
        return S.CONFIRMED if tl.confirmed <= end else S.DELIVERED
    if tl.shipped <= end:
        return S.SHIPPING
    return S.PREPARING if tl.accepted <= end else S.PAID


def status_before(reached: dict) -> str:
    return S.PREPARING if S.PREPARING in reached else S.PAID
