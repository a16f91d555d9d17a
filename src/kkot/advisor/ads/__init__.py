"""Ads: campaigns, daily spend, last-click attribution, ROAS and budget advice.

Attribution (documented on the 광고 page too): an order is credited to the **last ad click** (an ``ad_click``
event, recorded when a shopper lands through a link carrying ``?kc=<campaign id>``) of the same shopper, for a
campaign of the same store, at most **7 days** (exactly 168 hours, not calendar days) before the order was placed
(``Order.created_at``); a click 7 days and 1 minute before does not count. The order counts on the Seoul day it
was paid, like every sales figure. Its revenue is ``Order.total`` minus every refund of that order made so far,
so refunds reduce the attributed revenue. Shoppers who opted out of tracking, and guests, leave no clicks and are
never attributed. ROAS = attributed revenue / spend (in %).
"""

from kkot.advisor.ads.attribution import AD_WINDOW, Touch, ad_touches  # noqa: F401
