"""One ninja Router per domain; mounted under /api/v1/ by :mod:`kkot.api.main`."""
