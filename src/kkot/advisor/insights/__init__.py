"""The insights feed: short, ranked findings with their evidence, a link to the chart behind them and concrete
advice. Detectors live in the modules of this package; :func:`insights_feed` runs them all and ranks by score."""

from kkot.advisor.insights.detectors import (  # noqa: F401 - public API
    CHANNEL_ALPHA,
    Feed,
    Insight,
    insights_feed,
    two_proportion_z,
    wilson,
)
