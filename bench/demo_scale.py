"""Benchmark of the demo data generator (not a test).

Runs `dui.demo.generator.generate` into the configured database (DUI_DATABASE_URL) and
prints the rows written per second and the total time. Migrate the database first:

    DUI_DATABASE_URL=postgres://…/dui_demo .venv/bin/python manage.py migrate
    DUI_DATABASE_URL=postgres://…/dui_demo .venv/bin/python bench/demo_scale.py --usagers 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure la génération des données de démo.")
    parser.add_argument("--usagers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from dui.demo.generator import generate

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        print(f"  {done:>7} / {total} usagers  ({elapsed:6.1f} s)", flush=True)

    result = generate(
        usagers=args.usagers, seed=args.seed, batch_size=args.batch_size, progress=progress
    )
    print(f"base : {connection.vendor} ({connection.settings_dict['NAME']})")
    print(
        f"usagers {result.usagers}, prises en charge {result.prises_en_charge}, "
        f"membres d'équipe {result.membres_equipe}, comptes {result.users}"
    )
    print(f"lignes écrites : {result.rows}")
    print(f"durée totale : {result.seconds:.1f} s")
    print(f"débit : {result.rows / result.seconds:,.0f} lignes/s".replace(",", " "))


if __name__ == "__main__":
    main()
