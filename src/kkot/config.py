"""All configuration read from the environment, in one place (ARCHITECTURE rule 10).

Every default makes the laptop case work: SQLite and files under ``var/``, in-process task worker.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

SRC_DIR = Path(__file__).resolve().parent


def _default_var_dir() -> Path:
    # Repository checkout: <repo>/var ; installed package: ./var of the working directory.
    repo = SRC_DIR.parent.parent
    if (repo / "pyproject.toml").exists():
        return repo / "var"
    return Path.cwd() / "var"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    var_dir: Path
    database_url: str | None
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    redis_url: str | None
    language: str
    media_url_base: str
    platform_fee_rate: str
    tasks_immediate: bool
    s3_bucket: str | None
    payment_webhook_secret: str
    carrier_webhook_secret: str
    adult_detector: str  # dotted path of an optional adult-content detector; empty: the check says "unavailable"
    text_detector: str  # text/watermark regions on photos: auto (OCR when kkot[ocr] is installed), ocr, heuristic
    site_url: str  # absolute base for links in e-mails (weekly advisor report)


def load() -> Config:
    var_dir = Path(os.environ.get("KKOT_VAR_DIR") or _default_var_dir())
    return Config(
        var_dir=var_dir,
        database_url=os.environ.get("KKOT_DATABASE_URL") or None,
        secret_key=os.environ.get("KKOT_SECRET_KEY", "kkot-insecure-development-key-change-me-in-production"),
        debug=_bool("KKOT_DEBUG", True),
        allowed_hosts=[h for h in os.environ.get("KKOT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h],
        redis_url=os.environ.get("KKOT_REDIS_URL") or None,
        language=os.environ.get("KKOT_LANGUAGE", "ko"),
        media_url_base=os.environ.get("KKOT_MEDIA_URL", "/media/"),
        platform_fee_rate=os.environ.get("KKOT_PLATFORM_FEE_RATE", "0.055"),
        tasks_immediate=_bool("KKOT_TASKS_IMMEDIATE", "pytest" in sys.modules),
        s3_bucket=os.environ.get("KKOT_S3_BUCKET") or None,
        payment_webhook_secret=os.environ.get("KKOT_PAYMENT_WEBHOOK_SECRET", "kkot-test-pg-webhook-secret"),
        carrier_webhook_secret=os.environ.get("KKOT_CARRIER_WEBHOOK_SECRET", "kkot-test-carrier-webhook-secret"),
        adult_detector=os.environ.get("KKOT_ADULT_DETECTOR", ""),
        text_detector=os.environ.get("KKOT_TEXT_DETECTOR", "auto"),
        site_url=os.environ.get("KKOT_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
    )


CONFIG = load()
