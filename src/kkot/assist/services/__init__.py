"""Writes of the registration assistant (image checks, suggestions, exposure statistics, the visual index)."""
