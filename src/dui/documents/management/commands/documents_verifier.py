"""`manage.py documents_verifier`: every stored version is still there, intact.

Re-reads each version's file and compares its size and SHA-256 with those recorded when it
was stored; checks that each recorded CDA file exists. With --orphelins, also lists files of
the private storage that no version points to (left by an interrupted write). Names versions
by id only: the output holds no personal data. Fails (exit 1) on any anomaly.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dui.documents.models import VersionDocument, documents_root, private_storage

CHUNK = 1024 * 1024


def _empreinte(name: str) -> tuple[int, str] | None:
    storage = private_storage()
    if not storage.exists(name):
        return None
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class Command(BaseCommand):
    help = "Vérifie que chaque version de document stockée est présente et intacte."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--orphelins",
            action="store_true",
            help="Lister aussi les fichiers du stockage qu'aucune version ne référence.",
        )

    def handle(self, *args: Any, orphelins: bool = False, **options: Any) -> None:
        anomalies = 0
        count = 0
        known: set[str] = set()
        qs = VersionDocument.objects.order_by("pk").only("pk", "fichier", "cda", "taille", "sha256")
        for version in qs.iterator(chunk_size=500):
            count += 1
            known.add(version.fichier.name or "")
            found = _empreinte(version.fichier.name or "")
            if found is None:
                anomalies += 1
                self.stderr.write(f"Version {version.pk} : fichier absent.")
            elif found != (version.taille, version.sha256):
                anomalies += 1
                self.stderr.write(f"Version {version.pk} : contenu modifié (taille ou empreinte).")
            if version.cda:
                known.add(version.cda.name or "")
                if not private_storage().exists(version.cda.name or ""):
                    anomalies += 1
                    self.stderr.write(f"Version {version.pk} : fichier CDA absent.")
        if orphelins:
            root = documents_root()
            stored = (
                {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
                if root.exists()
                else set()
            )
            for name in sorted(stored - known):
                anomalies += 1
                self.stderr.write(f"Fichier orphelin : {name}")
        if anomalies:
            raise CommandError(f"{anomalies} anomalie(s) sur {count} versions vérifiées.")
        self.stdout.write(f"Documents intègres : {count} versions vérifiées.")
