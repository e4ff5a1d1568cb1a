#!/usr/bin/env python3
"""`make bench`: the demo generator and the search benchmarks, on a throwaway database.

On a throwaway PostgreSQL cluster (the one `make test` uses, tools/testrun.py) when a server
is installed, with 100 000 persons by default; on a SQLite file otherwise, with fewer persons
and a note, since the targets are set on PostgreSQL. The cluster or file is removed in every
case. Prints the figures of bench/demo_scale.py, bench/search_bench.py, then
bench/transmissions_bench.py (10 000 000 transmissions on PostgreSQL by default), then
bench/cda_bench.py (CDA R2 generation).
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from testrun import Cluster, banner, call, find_postgres_bin  # noqa: E402

PYTHON = sys.executable


def _raise_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def run_all(url: str, usagers: int, samples: int, transmissions: int) -> int:
    """Every bench in turn on the database at `url`, stopping at the first failure."""
    env = {**os.environ, "DUI_DATABASE_URL": url}
    steps = [
        ("Migrations", ["manage.py", "migrate", "--noinput", "--verbosity", "0"]),
        (
            f"Génération de la démo : {usagers} usagers (bench/demo_scale.py)",
            ["bench/demo_scale.py", "--usagers", str(usagers)],
        ),
        (
            "Recherche par nom et contrôle de doublons (bench/search_bench.py)",
            ["bench/search_bench.py", "--usagers", str(usagers), "--samples", str(samples)],
        ),
        (
            f"Transmissions : {transmissions} écrites, fil d'une personne et relève",
            [
                "bench/transmissions_bench.py", "--usagers", str(usagers),
                "--transmissions", str(transmissions), "--samples", str(samples),
            ],
        ),
        (
            "DLU : génération du PDF d'un dossier lourd (bench/dlu_bench.py)",
            ["bench/dlu_bench.py", "--samples", "30"],
        ),
        (
            "Documents CDA R2 : DLU et lettre de liaison (bench/cda_bench.py)",
            ["bench/cda_bench.py", "--samples", "30"],
        ),
        (
            "Tournée des médicaments : unité de 60 lits, 8 doses par jour (round_bench.py)",
            ["bench/round_bench.py", "--samples", "100"],
        ),
        (
            "DMP : 1 000 documents en file vidée par 2 workers, DLU généré et envoyé",
            ["bench/dmp_bench.py", "--documents", "1000"],
        ),
        (
            "Projets personnalisés : échéances, compte de l'accueil, onglet (projet_bench.py)",
            ["bench/projet_bench.py", "--samples", "50"],
        ),
        (
            "Documents : ajout de 200 PDF de 1 Mo, onglet, téléchargement (documents_bench.py)",
            ["bench/documents_bench.py", "--uploads", "200"],
        ),
    ]  # fmt: skip
    for title, argv in steps:
        banner(title)
        code = call([PYTHON, *argv], env=env)
        if code != 0:
            return code
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai sur une base jetable.")
    parser.add_argument("--usagers", type=int, default=100_000, help="sur PostgreSQL")
    parser.add_argument("--sqlite-usagers", type=int, default=10_000, help="sur SQLite")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--transmissions", type=int, default=10_000_000, help="sur PostgreSQL")
    parser.add_argument("--sqlite-transmissions", type=int, default=200_000, help="sur SQLite")
    parser.add_argument("--db", choices=("auto", "postgresql", "sqlite"), default="auto")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _raise_on_signal)
    signal.signal(signal.SIGHUP, _raise_on_signal)
    os.chdir(ROOT)

    found = find_postgres_bin() if args.db != "sqlite" else None
    if found is None:
        if args.db == "postgresql":
            print("Aucun serveur PostgreSQL trouvé (initdb/pg_ctl).")
            return 2
        print(
            "\nNote : mesure sur SQLite avec "
            f"{args.sqlite_usagers} usagers, faute de serveur PostgreSQL. Les objectifs "
            "(p95 ≤ 50 ms avec 100 000 usagers) portent sur PostgreSQL : ces chiffres ne "
            "permettent pas de dire s'ils sont tenus."
        )
        folder = ROOT / "var" / "bench"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return run_all(
            f"sqlite:///{folder / 'bench.sqlite3'}",
            args.sqlite_usagers,
            args.samples,
            args.sqlite_transmissions,
        )

    bindir, major = found
    cluster = Cluster(bindir)
    atexit.register(cluster.stop)
    try:
        banner(f"Démarrage d'un cluster PostgreSQL {major} jetable ({cluster.folder})")
        cluster.start()
        admin_url = cluster.url.rsplit("/", 1)[0] + "/postgres"
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE dui")
        return run_all(cluster.url, args.usagers, args.samples, args.transmissions)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"ÉCHEC : le cluster PostgreSQL n'a pas démarré ({exc}).")
        return 3
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
