"""kkot (꽃): an open-source smart-store platform for small online sellers."""

__version__ = "0.1.0"
