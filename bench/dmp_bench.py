"""Benchmark of the DMP outbox and of a DLU sent end to end (not a test).

Needs a migrated database with the demo loaded (`bench/run.py` does both). Starts the DMP
simulator on loopback (mutual TLS, VIHF checked) in this process, with injected faults:
a share of requests answered 503 before processing and a share of accepted submissions
whose answer is lost (503 after storing), so that retries and idempotent resends happen.

1. Outbox drain: `--documents` CDA documents (generated once per person through the cda
   package, then copied under new document ids) are queued with `demander_envoi`, then two
   `manage.py db_worker --batch` processes drain the queue. Checks, counted in the
   simulator: every document stored exactly once (no duplicate, no loss), every envoi
   "envoyé". Prints the queueing and draining throughput and the retries.
2. DLU end to end: for `--dlu-samples` persons, a validated DLU is generated (PDF + CDA,
   validated), stored as a document, the decision to send is recorded and the send runs
   (ITI-41 to the simulator). Target p95 ≤ 800 ms. Prints count, p50, p95, max.

    DUI_DATABASE_URL=… .venv/bin/python bench/dmp_bench.py --documents 1000
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

E2E_TARGET_MS = 800.0


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1] * 1000


def matricule(n: int) -> str:
    from dui.interop.ins.matricule import cle

    # The last six digits encode n: distinct matricules for distinct persons (n < 10**6).
    body = f"{1 + n % 2}{40 + n % 50:02d}{1 + n % 12:02d}75{(n // 1000) % 1000:03d}{n % 1000:03d}"
    return f"{body}{cle(body):02d}"


def personnes(count: int, offset: int = 0):  # type: ignore[no-untyped-def]
    """Demo persons of the first EHPAD, made qualifiée (test INS OID) and informed."""
    import datetime

    from dui.comptes.models import Affectation
    from dui.interop.models import ConsentementDMP
    from dui.structures.models import Etablissement
    from dui.usagers.identite import StatutIdentite
    from dui.usagers.models import Usager

    etab = Etablissement.objects.filter(categorie="500").order_by("pk").first()
    if etab is None:
        raise SystemExit("Aucun EHPAD dans la base : chargez la démo (manage.py demo).")
    user = (
        Affectation.objects.filter(etablissement=etab, role__code__in=["medecin", "infirmier"])
        .select_related("user")
        .order_by("role__code", "pk")
        .first()
    )
    if user is None:
        raise SystemExit("Aucun médecin ni infirmier dans l'EHPAD de démonstration.")
    usagers = list(
        Usager.objects.filter(
            prises_en_charge__etablissement=etab,
            prises_en_charge__date_fin__isnull=True,
            fusionne_dans__isnull=True,
            archive_le__isnull=True,
        )
        # The demo has an opposed resident: left as the demo made them.
        .exclude(consentements_dmp__type="opposition")
        .distinct()
        .order_by("pk")[offset : offset + count]
    )
    for usager in usagers:
        usager.statut_identite = StatutIdentite.QUALIFIEE
        usager.matricule_ins = matricule(usager.pk)
        usager.oid_ins = "1.2.250.1.213.1.4.10"
        usager.identite_douteuse = usager.identite_fictive = False
        usager.lieu_naissance_insee = usager.lieu_naissance_insee or "75056"
        usager.save()
        if ConsentementDMP.objects.filter(usager=usager).exists():
            continue
        ConsentementDMP.objects.create(
            usager=usager,
            type="information",
            date=datetime.date.today(),
            destinataire="personne",
            moyen="livret",
            par="Banc d'essai",
            enregistre_par=user.user,
        )
    return etab, user.user, usagers


def new_id(cda: bytes) -> bytes:
    from lxml import etree

    from dui.interop.dmp.client import new_oid

    root = etree.fromstring(cda)
    root.find("{urn:hl7-org:v3}id").set("root", new_oid())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def drain(documents: int, persons: int, workers: int, env: dict[str, str], server) -> int:  # type: ignore[no-untyped-def]
    from dui.documents.services import enregistrer_document_genere
    from dui.interop.cda import generer
    from dui.interop.dmp import services
    from dui.interop.models import EnvoiDMP, StatutEnvoi

    _etab, user, usagers = personnes(persons)
    if not usagers:
        raise SystemExit("Aucune personne disponible dans l'EHPAD de démonstration.")
    print(f"  {len(usagers)} personnes qualifiées et informées ; génération des documents…")
    started = time.monotonic()
    envois = []
    models = {}
    for usager in usagers:
        generated = generer("lettre_entree", usager, user)
        if not generated.valide:
            raise SystemExit(f"CDA invalide : {generated.erreurs[:2]}")
        models[usager.pk] = generated
    for i in range(documents):
        usager = usagers[i % len(usagers)]
        g = models[usager.pk]
        version = enregistrer_document_genere(
            user, usager, type_code=g.type_code, titre=g.titre, pdf=g.pdf, cda=new_id(g.cda)
        )
        envois.append(services.demander_envoi(user, version))
    queued = time.monotonic() - started
    print(f"  {len(envois)} envois mis en file en {queued:.1f} s ({len(envois) / queued:.0f}/s)")
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs = [
        subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                # On SQLite a worker that finds the database locked sleeps `interval`.
                "--interval",
                "0.05",
                "--worker-id",
                f"dmp-bench-{n}",
                "--verbosity",
                "0",
            ],
            env=env,
            cwd=ROOT,
        )
        for n in range(workers)
    ]
    codes = [p.wait() for p in procs]
    drained = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    ids = [e.pk for e in envois]
    states = dict(
        (s, EnvoiDMP.objects.filter(pk__in=ids, statut=s).count()) for s in StatutEnvoi.values
    )
    attempts = sum(EnvoiDMP.objects.filter(pk__in=ids).values_list("tentatives", flat=True))
    unique_ids = set(EnvoiDMP.objects.filter(pk__in=ids).values_list("unique_id", flat=True))
    registre = server.registre
    stored = set(registre.documents) & unique_ids
    print(
        f"  vidée par {workers} workers en {drained:.1f} s ({len(ids) / drained:.0f} envois/s),"
        f" codes de sortie {codes}"
    )
    print(
        f"  temps CPU des workers : {cpu * 1000 / len(ids):.0f} ms par envoi ; charge de la "
        f"machine (1 min) : {os.getloadavg()[0]:.1f} pour {os.cpu_count()} cœurs"
    )
    print(
        f"  états : {states} ; tentatives au total : {attempts} ; requêtes ITI-41 reçues : "
        f"{registre.depots} ; renvois « déjà reçu » : {registre.doublons}"
    )
    duplicates = registre.recus - len(stored)
    lost = len(unique_ids) - len(stored)
    print(
        f"  simulateur : {registre.recus} documents stockés pour {len(unique_ids)} envois — "
        f"doublons : {duplicates}, pertes : {lost}"
    )
    ok = duplicates == 0 and lost == 0 and states[StatutEnvoi.ENVOYE] == len(ids)
    print("  RÉSULTAT : " + ("aucun doublon ni perte" if ok else "ÉCHEC (doublon ou perte)"))
    return 0 if ok else 1


def dlu_end_to_end(samples: int, offset: int, server) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from dui.dlu import schema
    from dui.dlu.models import DLU
    from dui.interop.cda import generer
    from dui.interop.cda.generation import enregistrer
    from dui.interop.dmp import services

    etab, user, usagers = personnes(samples, offset=offset)
    if not usagers:  # a small EHPAD: the drain's persons get DLUs too
        etab, user, usagers = personnes(samples, offset=0)
    if not usagers:
        raise SystemExit("Aucune personne disponible dans l'EHPAD de démonstration.")
    timings: list[float] = []
    results: dict[str, int] = {}
    documents: dict[int, object] = {}
    envoi_ids: list[int] = []
    server.taux_panne_avant = server.taux_panne_apres = 0.0
    for index in range(samples):
        # Few residents: each gets updated DLUs, new versions replacing the previous one in
        # the DMP (RPLC), as when a DLU is revised.
        usager = usagers[index % len(usagers)]
        numero = (
            DLU.objects.filter(usager=usager)
            .order_by("-numero")
            .values_list("numero", flat=True)
            .first()
            or 0
        ) + 1
        donnees = schema.vide("ehpad")
        donnees["allergies"]["liste"] = [
            {"substance": "Pénicilline", "reaction": "Urticaire", "severite": "moderee"}
        ]
        dlu = DLU.objects.create(
            usager=usager,
            numero=numero,
            statut="valide",
            etablissement=etab,
            donnees=donnees,
            cree_par=user,
            modifie_par=user,
            valide_le=timezone.now(),
            valide_par=user,
        )
        started = time.monotonic()
        document = documents.get(usager.pk)
        generated = generer("dlu", usager, user, dlu=dlu, document=document)
        version = enregistrer(generated, user=user, usager=usager, document=document)
        documents[usager.pk] = version.document
        envoi = services.demander_envoi(user, version)
        result = services.executer_envoi(envoi.pk)
        envoi_ids.append(envoi.pk)
        timings.append(time.monotonic() - started)
        results[result] = results.get(result, 0) + 1
    p95 = percentile(timings, 95)
    verdict = (
        "objectif tenu" if p95 <= E2E_TARGET_MS else f"objectif ({E2E_TARGET_MS:.0f} ms) manqué"
    )
    print(f"  {'opération':<48} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(
        f"  {'DLU : génération PDF + CDA, envoi ITI-41':<48} {len(timings):>5} "
        f"{percentile(timings, 50):>8.1f} {p95:>8.1f} {max(timings) * 1000:>8.1f}   {verdict}"
    )
    from dui.interop.models import EnvoiDMP

    replaced = EnvoiDMP.objects.filter(pk__in=envoi_ids, remplace__isnull=False).count()
    print(f"  résultats des envois : {results} ; dont {replaced} remplacements (RPLC)")


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai du DMP (file d'envoi, DLU).")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--personnes", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dlu-samples", type=int, default=40)
    parser.add_argument("--panne-avant", type=float, default=0.05)
    parser.add_argument("--panne-apres", type=float, default=0.05)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dmp-bench-"))
    try:
        # Files of the generated documents go to a throwaway folder, as the database is.
        os.environ["DUI_VAR_DIR"] = str(folder / "var")
        import django

        django.setup()
        from dui.interop.dmp.simulator import DMPSimulator
        from dui.interop.pki import make_test_pki

        pki = make_test_pki(folder / "pki")
        server = DMPSimulator(
            ("127.0.0.1", 0),
            certfile=str(pki.server_cert),
            keyfile=str(pki.server_key),
            client_ca=str(pki.ca_cert),
        )
        server.taux_panne_avant = args.panne_avant
        server.taux_panne_apres = args.panne_apres
        server.start_in_thread()
        dmp_env = {
            "DUI_DMP_REPOSITORY_URL": server.repository_url,
            "DUI_DMP_REGISTRY_URL": server.registry_url,
            "DUI_DMP_CERT_FILE": str(pki.client_cert),
            "DUI_DMP_KEY_FILE": str(pki.client_key),
            "DUI_DMP_CA_FILE": str(pki.ca_cert),
            "DUI_DMP_RETRY_BASE_SECONDS": "0",
        }
        os.environ.update(dmp_env)
        env = {**os.environ}
        print(
            f"File d'envoi DMP : {args.documents} documents, {args.workers} workers, pannes "
            f"injectées {args.panne_avant:.0%} avant traitement / {args.panne_apres:.0%} "
            "réponse perdue"
        )
        code = drain(args.documents, args.personnes, args.workers, env, server)
        if args.dlu_samples:
            print("DLU de bout en bout (génération + envoi au simulateur)")
            dlu_end_to_end(args.dlu_samples, args.personnes, server)
        server.shutdown()
        server.server_close()
        return code
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
