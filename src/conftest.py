"""Shared pytest fixtures for the whole suite (factories live in kkot/core/testing.py)."""

import pytest


@pytest.fixture(autouse=True)
def _media_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
