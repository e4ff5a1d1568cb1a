"""`manage.py serve`: the web server (waitress) and a supervised background-task worker.

One command for `make run` and small installations: the worker (`db_worker`, the
django-tasks database backend) runs as a child process; if it dies it is restarted with a
growing delay; SIGINT or SIGTERM stops both cleanly. Larger installations run web and
worker processes separately (docs/operations.md).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.core.servers.basehttp import get_internal_wsgi_application

logger = logging.getLogger("dui.serve")

# A worker that ran this long before dying is considered healthy: the delay starts again.
HEALTHY_RUN_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


def _die_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM when the supervising thread disappears.

    So that a killed `serve` (even with SIGKILL) never leaves an orphan worker.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class WorkerSupervisor:
    """Runs `db_worker` as a child process and restarts it with backoff when it dies."""

    def __init__(self, worker_args: list[str]) -> None:
        self.command = [sys.executable, "-m", "django", "db_worker", *worker_args]
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="db-worker-supervisor", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")
        # Own process group: a Ctrl-C in the terminal reaches `serve`, which stops the
        # worker itself, in order, instead of both racing on the same signal.
        return subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            self.command, env=env, preexec_fn=_die_with_parent, start_new_session=True
        )

    def _run(self) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            with self.lock:
                if self.stopping.is_set():
                    return
                self.process = self._spawn()
                logger.info("Worker de tâches démarré (pid %s).", self.process.pid)
            started = time.monotonic()
            code = self.process.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - started >= HEALTHY_RUN_SECONDS:
                backoff = 1.0
            logger.error(
                "Le worker de tâches s'est arrêté (code %s) ; redémarrage dans %.0f s.",
                code,
                backoff,
            )
            if self.stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def stop(self) -> None:
        """Ask the worker to finish its current task and exit; kill it if it does not."""
        with self.lock:
            self.stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("Le worker ne s'arrête pas : arrêt forcé.")
            process.kill()
            process.wait()
        logger.info("Worker de tâches arrêté.")


class Command(BaseCommand):
    help = "Démarre le serveur web (waitress) et un worker de tâches en arrière-plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Adresse d'écoute.")
        parser.add_argument("--port", type=int, default=8000, help="Port d'écoute.")
        parser.add_argument("--threads", type=int, default=8, help="Fils du serveur web.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Ne pas démarrer le worker de tâches."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import waitress

        from dui.interop.demo import start_demo_simulators

        application = get_internal_wsgi_application()
        # Before the worker starts: it inherits the simulators' addresses.
        for line in start_demo_simulators():
            self.stdout.write(line)
        supervisor = None if options["no_worker"] else WorkerSupervisor(["--no-reload"])

        def _stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

        server = waitress.create_server(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="dossier-usager",
        )
        try:
            if supervisor is not None:
                supervisor.start()
            self.stdout.write(
                f"Serveur prêt : http://{options['host']}:{options['port']}/ (Ctrl-C pour arrêter)",
                self.style.SUCCESS,
            )
            self.stdout.flush()
            server.run()
        except KeyboardInterrupt:
            self.stdout.write("Arrêt demandé…")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            server.close()
            if supervisor is not None:
                supervisor.stop()
            self.stdout.write("Arrêté.")
