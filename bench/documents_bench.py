"""Benchmark of the document store (not a test): upload, list, download.

On the database given by DUI_DATABASE_URL (the demo loaded by bench/run.py), for one person
with an open stay and the médecin of that établissement, with files written to a temporary
DOCUMENTS_ROOT (removed at the end):
- upload of a 1 MB PDF through `documents.services.televerser` (size, content and antivirus
  checks, SHA-256, private storage, journal), `--uploads` times;
- the Documents tab of that person once they hold those documents (each with a signature),
  rendered by the test client with a verified session;
- download of one version (policy check, journal, streamed file).
Prints count, p50, p95, max in ms, and the number of queries of the list.

    DUI_DATABASE_URL=postgres://…/dui .venv/bin/python bench/documents_bench.py --uploads 200
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

WARMUP = 3


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1] * 1000


def _line(label: str, samples: list[float]) -> str:
    if not samples:
        return f"  {label:<44} aucune mesure"
    return (
        f"  {label:<44} {len(samples):>5} {_percentile(samples, 50):>8.1f} "
        f"{_percentile(samples, 95):>8.1f} {max(samples) * 1000:>8.1f}"
    )


def _client(user):  # type: ignore[no-untyped-def]
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dui.comptes.models import Affectation
    from dui.documents import services
    from dui.usagers.models import PriseEnCharge

    affectation = (
        Affectation.objects.filter(role__code="medecin", actif=True)
        .select_related("user", "etablissement")
        .order_by("pk")
        .first()
    )
    if affectation is None:
        print("Aucun médecin : chargez la démo d'abord (manage.py demo).")
        return 2
    stay = (
        PriseEnCharge.objects.filter(etablissement=affectation.etablissement, date_fin__isnull=True)
        .select_related("usager")
        .order_by("-pk")
        .first()
    )
    if stay is None:
        print("Aucune personne accompagnée dans l'établissement du médecin.")
        return 2
    user, usager = affectation.user, stay.usager
    root = tempfile.mkdtemp(prefix="dui-documents-bench-")
    settings.DOCUMENTS_ROOT = root
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    pdf = b"%PDF-1.4\n" + os.urandom(1024 * 1024 - 20) + b"\n%%EOF\n"
    try:
        uploads: list[float] = []
        version = None
        for index in range(args.uploads + WARMUP):
            start = time.perf_counter()
            version = services.televerser(
                user,
                usager,
                data=pdf,
                nom_fichier="ordonnance.pdf",
                type_code="57833-6",
                titre=f"Ordonnance {index}",
                signature_manuscrite="Dr Banc d'essai",
            )
            elapsed = time.perf_counter() - start
            if index >= WARMUP:
                uploads.append(elapsed)
        assert version is not None
        client = _client(user)
        list_url = reverse("documents:liste", args=[usager.pk])
        download_url = reverse("documents:telecharger", args=[usager.pk, version.pk])
        lists: list[float] = []
        downloads: list[float] = []
        queries = 0
        for index in range(args.samples + WARMUP):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(list_url)
                elapsed = time.perf_counter() - start
            if response.status_code != 200:
                print(f"Liste : réponse {response.status_code}")
                return 1
            queries = len(captured.captured_queries)
            start = time.perf_counter()
            response = client.get(download_url)
            size = sum(len(chunk) for chunk in response.streaming_content)
            download_elapsed = time.perf_counter() - start
            if size != len(pdf):
                print("Téléchargement incomplet")
                return 1
            if index >= WARMUP:
                lists.append(elapsed)
                downloads.append(download_elapsed)
        count = usager.documents.count()
        print(f"  {'opération':<44} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        print(_line("Ajout d'un PDF de 1 Mo (contrôles + journal)", uploads))
        print(_line(f"Onglet Documents ({count} documents)", lists))
        print(_line("Téléchargement d'une version de 1 Mo", downloads))
        print(f"  Requêtes SQL de l'onglet Documents : {queries}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
