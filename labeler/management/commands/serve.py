"""Start the web server (Daphne, ASGI) and one job worker; Ctrl+C stops both."""

import logging
import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "Run Daphne on PORT (default 8000) and a background job worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host, port, workers, **options):
        _storage_sweep()
        python = sys.executable
        commands = [
            [python, "-m", "daphne", "-b", host, "-p", str(port), "config.asgi:application"]
        ]
        commands += [
            [python, "manage.py", "jobs_worker", "--no-reload", "--worker-id", f"local-{n}"]
            for n in range(workers)
        ]
        processes = [subprocess.Popen(command) for command in commands]
        self.stdout.write(self.style.SUCCESS(f"Time Series Labeler on http://{host}:{port}/"))
        self.stdout.write("Press Ctrl+C to stop.")
        stop = {"requested": False}

        def request_stop(signum, frame):
            stop["requested"] = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            while not stop["requested"] and all(p.poll() is None for p in processes):
                time.sleep(0.3)
        finally:
            _stop_all(processes)
        exited = [p for p in processes if p.returncode not in (0, -2, -15, None)]
        if exited and not stop["requested"]:
            raise SystemExit(1)


def _storage_sweep() -> None:
    """Outputs of the older naming and a killed server's upload leftovers, before serving; a
    failure here is logged and never stops the server from starting."""
    try:
        call_command("storage_sweep")
    except Exception:
        logging.getLogger(__name__).warning("storage sweep at start failed", exc_info=True)
    finally:
        connections.close_all()


def _stop_all(processes, timeout_s: float = 15.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
