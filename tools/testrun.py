#!/usr/bin/env python3
"""Run the whole test suite on SQLite, then on a throwaway PostgreSQL cluster if one can start.

Called by `make test`. Extra arguments go to pytest. The PostgreSQL cluster lives in a
temporary folder and is stopped and removed in every case (normal end, error, Ctrl-C,
SIGTERM). The last line printed is `N passed, M failed[, K skipped]` across both runs.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CHROMIUM = Path("/usr/bin/chromium")


@dataclass
class Result:
    label: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.failed == 0 and self.passed + self.skipped > 0

    def describe(self) -> str:
        parts = [f"{self.passed} réussis"]
        if self.failed:
            parts.append(f"{self.failed} en échec")
        if self.skipped:
            parts.append(f"{self.skipped} ignorés")
        if self.passed + self.failed + self.skipped == 0:
            parts = ["aucun test exécuté"]
        if self.exit_code not in (0, 1):
            parts.append(f"pytest a fini avec le code {self.exit_code}")
        return f"{self.label} — {', '.join(parts)}"


def call(cmd: list[str], env: dict[str, str]) -> int:
    """Run a child and return its exit code; stop it if we are interrupted meanwhile."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603 - our own argv
    try:
        return proc.wait()
    except BaseException:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise


def banner(text: str) -> None:
    line = "=" * 72
    print(f"\n{line}\n{text}\n{line}", flush=True)


def run_pytest(label: str, extra_env: dict[str, str], args: list[str]) -> Result:
    """Run pytest once and read its counts from a JUnit XML report."""
    banner(f"Tests sur {label}")
    with tempfile.TemporaryDirectory(prefix="dui-junit-") as tmp:
        report = Path(tmp) / "report.xml"
        env = {**os.environ, **extra_env}
        cmd = [PYTHON, "-m", "pytest", "-rs", f"--junitxml={report}", *args]
        code = call(cmd, env=env)
        result = Result(label=label, exit_code=code)
        if report.exists():
            for suite in ET.parse(report).getroot().iter("testsuite"):  # noqa: S314 - our file
                tests = int(suite.get("tests", 0))
                failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
                skipped = int(suite.get("skipped", 0))
                result.passed += tests - failed - skipped
                result.failed += failed
                result.skipped += skipped
        if code not in (0, 5) and result.failed == 0:
            # Interrupted, internal or usage error: count it as a failure, never as a pass.
            result.failed = 1
        return result


def migrations_check() -> bool:
    banner("Migrations : makemigrations --check --dry-run")
    env = {**os.environ, "DUI_DATABASE_URL": "sqlite:///:memory:"}
    code = call([PYTHON, "manage.py", "makemigrations", "--check", "--dry-run"], env=env)
    if code != 0:
        print("ÉCHEC : des modèles ont changé sans migration (lancez makemigrations).")
    return code == 0


# --- PostgreSQL throwaway cluster -------------------------------------------------------


def find_postgres_bin() -> tuple[Path, str] | None:
    """The folder holding initdb and pg_ctl (newest version), and its major version."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        candidates.append(Path(on_path).parent)
    candidates += [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    best: tuple[tuple[int, ...], Path, str] | None = None
    for folder in candidates:
        if not (folder / "initdb").exists() or not (folder / "pg_ctl").exists():
            continue
        if not (folder / "postgres").exists():
            continue
        out = subprocess.run(  # noqa: S603
            [str(folder / "pg_ctl"), "--version"], capture_output=True, text=True
        ).stdout
        match = re.search(r"(\d+)(?:\.(\d+))?", out)
        if not match:
            continue
        version = tuple(int(g) for g in match.groups() if g is not None)
        if best is None or version > best[0]:
            best = (version, folder, match.group(1))
    return (best[1], best[2]) if best else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A PostgreSQL cluster in a temporary folder, trust auth on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="dui-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.started = False
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root.
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str) -> None:
        cmd = [*self.as_postgres, *argv]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.started = True
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.data),
            "-o", options,
            "-l", str(self.folder / "server.log"),
            "-w", "-t", "60",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        if self.started:
            self.started = False
            subprocess.run(  # noqa: S603
                [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.data),
                 "-m", "immediate", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/dui"


def _raise_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    # Our one option, --db=sqlite|postgresql|all (default all); the rest goes to pytest.
    databases = "all"
    args = []
    for arg in argv:
        if arg.startswith("--db="):
            databases = arg.removeprefix("--db=")
        else:
            args.append(arg)
    if databases not in ("all", "sqlite", "postgresql"):
        print("--db doit valoir sqlite, postgresql ou all.")
        return 2
    signal.signal(signal.SIGTERM, _raise_on_signal)
    signal.signal(signal.SIGHUP, _raise_on_signal)
    os.chdir(ROOT)
    started = time.monotonic()

    migrations_ok = migrations_check()

    results: list[Result] = []
    sqlite_seconds = 0.0
    if databases in ("all", "sqlite"):
        if not CHROMIUM.exists():
            print(f"\nNote : {CHROMIUM} est absent ; les tests navigateur (e2e) seront ignorés.")
        results.append(run_pytest("SQLite", {"DUI_DATABASE_URL": "sqlite:///:memory:"}, args))
        sqlite_seconds = time.monotonic() - started

    pg_note = ""
    pg_seconds = 0.0
    found = find_postgres_bin() if databases in ("all", "postgresql") else None
    if databases == "sqlite":
        pg_note = "PostgreSQL — non demandé"
    elif found is None:
        pg_note = "PostgreSQL — non testé (aucun serveur PostgreSQL trouvé : initdb/pg_ctl)"
    else:
        bindir, major = found
        cluster = Cluster(bindir)
        atexit.register(cluster.stop)
        pg_started = time.monotonic()
        try:
            banner(f"Démarrage d'un cluster PostgreSQL {major} jetable ({cluster.folder})")
            try:
                cluster.start()
            except (subprocess.CalledProcessError, OSError) as exc:
                log = cluster.folder / "server.log"
                if log.exists():
                    print(log.read_text()[-3000:])
                print(f"ÉCHEC : le cluster PostgreSQL n'a pas démarré ({exc}).")
                results.append(Result(label=f"PostgreSQL {major}", failed=1, exit_code=3))
            else:
                # Browser journeys run once, on SQLite: the database adds nothing to them.
                pg_args = ["-m", "not e2e", *args]
                results.append(
                    run_pytest(f"PostgreSQL {major}", {"DUI_DATABASE_URL": cluster.url}, pg_args)
                )
        finally:
            cluster.stop()
        pg_seconds = time.monotonic() - pg_started

    banner("Résumé")
    lines = [r.describe() for r in results] + ([pg_note] if pg_note else [])
    print("Bases testées : " + " ; ".join(lines))
    durations = [f"SQLite {sqlite_seconds:.0f} s"] if sqlite_seconds else []
    durations += [f"PostgreSQL {pg_seconds:.0f} s"] if pg_seconds else []
    print("Durées : " + ", ".join(durations))
    if not migrations_ok:
        print("Migrations manquantes : makemigrations --check a échoué.")

    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    ok = migrations_ok and all(r.ok for r in results) and passed > 0
    if databases == "postgresql" and found is None:
        ok = False
    if passed == 0:
        print("ÉCHEC : aucun test n'a été exécuté.")
    print()
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
