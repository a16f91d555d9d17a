import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve kkot on one machine: the web server plus an in-process task worker (huey)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, addr="127.0.0.1:8000", no_worker=False, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        if not no_worker:
            from huey.contrib.djhuey import HUEY

            consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=True)
            # The consumer's signal handlers only work in the main thread; run its loop in a daemon thread.
            consumer._set_signal_handlers = lambda: None  # noqa: SLF001
            threading.Thread(target=consumer.run, name="kkot-tasks", daemon=True).start()
        call_command("runserver", addr, use_reloader=False)
