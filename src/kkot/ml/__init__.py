"""Django-free machine learning for kkot: text, reviews, recs, vision, forecast.

Nothing under ``kkot.ml`` may import Django or a kkot domain app (enforced by import-linter).
"""
