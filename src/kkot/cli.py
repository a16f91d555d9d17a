"""The ``kkot`` console command.

Commands that need Django (demo, serve, manage) set it up lazily; ML commands (train, reviews,
images) import only ``kkot.ml`` so they start fast and work without a database.
"""

from __future__ import annotations

import importlib
import os
import sys

# (command, subcommand) -> "module:function"; each function takes argv (list[str]) and returns an exit code.
ML_COMMANDS: dict[tuple[str, str], str] = {
    ("train", "sentiment"): "kkot.ml.reviews.commands:train_sentiment",
    ("train", "reviews"): "kkot.ml.reviews.commands:train_reviews",
    ("reviews", "analyze"): "kkot.ml.reviews.commands:analyze",
    ("train", "recs"): "kkot.ml.recs.commands:train",
    ("train", "vision"): "kkot.ml.vision.commands:train",
    ("images", "check"): "kkot.ml.vision.commands:check_images",
}

USAGE = """usage: kkot COMMAND [ARGS]

Platform:
  demo [--rebuild] [--no-serve] [--addr HOST:PORT]   build the demo marketplace (once) and serve it
  serve [--addr HOST:PORT]                           serve kkot (development server + task worker)
  manage ARGS...                                     run a Django management command

Machine learning (no database needed):
  train sentiment|reviews|recs|vision [ARGS]          train a model (see --help of each)
  reviews analyze FILE [ARGS]                        analyse a review export (CSV/TSV/Excel)
  images check PATH... [ARGS]                        check product photos, write CSV + HTML report
"""


def _call(target: str, argv: list[str]) -> int:
    module, func = target.split(":")
    return int(getattr(importlib.import_module(module), func)(argv) or 0)


def _django_manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kkot.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kkot", *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    cmd, rest = argv[0], argv[1:]
    if rest and (cmd, rest[0]) in ML_COMMANDS:
        return _call(ML_COMMANDS[(cmd, rest[0])], rest[1:])
    if cmd in {"train", "reviews", "images"}:
        names = sorted(sub for (c, sub) in ML_COMMANDS if c == cmd)
        print(f"kkot {cmd}: choose one of: {', '.join(names)}", file=sys.stderr)
        return 2
    if cmd == "manage":
        return _django_manage(rest)
    if cmd == "demo":
        return _django_manage(["demo", *rest])
    if cmd == "serve":
        return _django_manage(["serve", *rest])
    print(f"kkot: unknown command {cmd!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
