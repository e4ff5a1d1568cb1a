"""The real DMP client against the simulator over loopback sockets with mutual TLS."""

import datetime
import hashlib
import tempfile
from pathlib import Path

import pytest

from dui.interop.dmp import client, vihf
from dui.interop.dmp import metadata as md
from dui.interop.dmp.entete import lire_entete
from dui.interop.dmp.errors import DMPErreurTechnique, DMPRefus
from dui.interop.dmp.vihf import Signataire
from dui.interop.pki import make_test_pki
from dui.interop.tests.dmp_support import (
    INS_A,
    INS_B,
    OID_TEST,
    STRUCTURE,
    cda,
    contexte,
    matricule,
)

REFERENCE = Path(__file__).resolve().parents[5] / "shared" / "reference" / "ci-sis" / "ExemplesCDA"


def ids(ins=INS_A):
    return client.Identifiants(ins, OID_TEST, "IPP42", f"1.2.250.1.71.4.2.2.{STRUCTURE}")


def envoyer(config, document, ins=INS_A, **kwargs):
    soumission = client.soumission_pour(document, ids(ins), config=config, **kwargs)
    return soumission, client.fournir_documents(soumission, contexte(ins), config)


def refus(config, document, ins=INS_A, ctx=None, **kwargs):
    soumission = client.soumission_pour(document, ids(ins), config=config, **kwargs)
    with pytest.raises(DMPRefus) as exc:
        client.fournir_documents(soumission, ctx or contexte(ins), config)
    return exc.value


def test_metadata_come_from_the_cda_header():
    document = cda(type_code="80788-3", titre="Projet personnalisé", confidentialite="R")
    fiche = client.fiche_depuis_cda(document, ids(), visibilites=(md.INVISIBLE_PATIENT,))
    assert fiche.type_code == md.Code("80788-3", "2.16.840.1.113883.6.1", fiche.type_code.libelle)
    assert fiche.class_code.code == "44"
    assert fiche.format_code.code == "urn:ihe:iti:xds-sd:pdf:2008"
    assert fiche.confidentialite.code == "R"
    assert fiche.healthcare_facility_type.code == "SA17"
    assert fiche.practice_setting.code == "ESSMS"
    assert fiche.patient_id == f"{INS_A}^^^&{OID_TEST}&ISO^NH"
    assert fiche.source_patient_id.startswith("IPP42^^^&")
    assert fiche.unique_id == lire_entete(document).id_root
    assert fiche.hash_sha1 == hashlib.sha1(document).hexdigest()  # noqa: S324
    assert fiche.taille == len(document)
    assert fiche.creation_time == "20261120093000"  # 10:30 +01:00 in UTC
    assert fiche.service_start == "20261120090000"
    assert fiche.auteur.xcn == "810001234567^DUPONT^Jeanne^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
    assert fiche.auteur.xon.endswith(f"^IDNST^^^{STRUCTURE}")
    assert fiche.visibilites == (md.INVISIBLE_PATIENT,)


def test_structured_dlu_gets_the_dlu_format_code():
    document = (REFERENCE / "DLU-EHPAD-DLU_2022.01.xml").read_bytes()
    fiche = client.fiche_depuis_cda(document, client.Identifiants("279035121518989", OID_TEST))
    assert fiche.format_code.code == "urn:asip:ci-sis:dlu:2015"
    assert fiche.class_code.code == "11"


def test_a_cda_without_the_persons_ins_is_not_sent():
    with pytest.raises(ValueError, match="INS"):
        client.fiche_depuis_cda(cda(ins=None), ids())
    with pytest.raises(ValueError, match="traits"):
        client.fiche_depuis_cda(cda(traits=False), ids())


def test_feed_query_and_retrieve(dmp):
    server, config = dmp
    document = cda()
    soumission, resultat = envoyer(config, document)
    assert resultat.deja_recu is False
    assert server.registre.recus == 1
    fiches = client.rechercher_documents(ids().patient_cx, contexte(), config)
    assert [f.unique_id for f in fiches] == [soumission.fiches[0].unique_id]
    fiche = fiches[0]
    assert fiche.titre == "Document de liaison d'urgence"
    assert fiche.type_code.code == "74207-2"
    recupere = client.recuperer_document(
        fiche.repository_unique_id, fiche.unique_id, contexte(), config
    )
    assert recupere.contenu == document
    assert recupere.mime_type == "text/xml"
    assert client.lire_fiches([fiche.unique_id], contexte(), config)[0].hash_sha1 == fiche.hash_sha1


def test_the_request_is_mtom_with_the_document_as_an_xop_attachment(dmp):
    _, config = dmp
    document = cda()
    soumission = client.soumission_pour(document, ids(), config=config)
    body, content_type = client.soap.iti41_request(
        soumission, vihf.build_assertion(contexte(), config.signataire), "x"
    )
    assert content_type.startswith("multipart/related")
    assert 'type="application/xop+xml"' in content_type
    assert document in body
    assert b"xop:Include" in body or b':Include href="cid:' in body


def test_resending_the_same_document_is_a_success_without_a_duplicate(dmp):
    server, config = dmp
    soumission, _ = envoyer(config, cda())
    again = client.fournir_documents(soumission, contexte(), config)
    assert again.deja_recu is True
    assert server.registre.recus == 1
    assert len(client.rechercher_documents(ids().patient_cx, contexte(), config)) == 1


def test_another_content_under_the_same_unique_id_is_refused(dmp):
    _, config = dmp
    envoyer(config, cda(root="1.2.3.4.5"))
    erreur = refus(config, cda(root="1.2.3.4.5", titre="Autre contenu"))
    assert erreur.codes == ["XDSNonIdenticalHash"]


def test_replacement_deprecates_the_old_entry(dmp):
    server, config = dmp
    first, _ = envoyer(config, cda())
    old_entry = first.fiches[0].entry_uuid
    second, _ = envoyer(config, cda(titre="DLU mis à jour"), remplace=old_entry)
    approved = client.rechercher_documents(ids().patient_cx, contexte(), config)
    assert [f.unique_id for f in approved] == [second.fiches[0].unique_id]
    everything = client.rechercher_documents(
        ids().patient_cx, contexte(), config, inclure_remplaces=True
    )
    statuses = {f.unique_id: f.statut for f in everything}
    assert statuses[first.fiches[0].unique_id] == md.DEPRECATED
    # A document already replaced cannot be replaced again.
    erreur = refus(config, cda(), remplace=old_entry)
    assert erreur.codes == ["XDSRegistryMetadataError"]
    assert server.registre.recus == 2


def test_unknown_ins_or_person_without_dmp_is_refused(dmp):
    server, config = dmp
    bad_key = INS_B[:13] + f"{(int(INS_B[13:]) + 1) % 97:02d}"
    assert refus(config, cda(ins=bad_key), ins=bad_key).codes == ["XDSUnknownPatientId"]
    server.registre.sans_dmp.add(INS_B)
    assert refus(config, cda(ins=INS_B), ins=INS_B).codes == ["XDSUnknownPatientId"]
    assert server.registre.recus == 0


def test_opposition_and_closed_dmp_are_refused(dmp):
    server, config = dmp
    server.registre.oppositions.add(INS_A)
    erreur = refus(config, cda())
    assert erreur.codes == ["DMPOpposition"]
    assert "opposée" in erreur.message
    with pytest.raises(DMPRefus):
        client.rechercher_documents(ids().patient_cx, contexte(), config)
    other = matricule("1620275056123")
    server.registre.fermes.add(other)
    assert refus(config, cda(ins=other), ins=other).codes == ["DMPFerme"]


def test_metadata_outside_the_value_sets_are_refused(dmp):
    _, config = dmp
    soumission = client.soumission_pour(cda(), ids(), config=config)
    fiche = soumission.fiches[0]
    soumission.fiches[0] = fiche.with_(
        healthcare_facility_type=md.Code("SA99", "1.2.250.1.71.4.2.4"),
        class_code=md.Code("10", fiche.class_code.systeme),
    )
    with pytest.raises(DMPRefus) as exc:
        client.fournir_documents(soumission, contexte(), config)
    assert set(exc.value.codes) == {"XDSRegistryMetadataError"}
    assert "classCode incohérent" in exc.value.message


def test_hash_or_size_mismatch_is_refused(dmp):
    server, config = dmp
    soumission = client.soumission_pour(cda(), ids(), config=config)
    soumission.fiches[0] = soumission.fiches[0].with_(hash_sha1="0" * 40)
    with pytest.raises(DMPRefus) as exc:
        client.fournir_documents(soumission, contexte(), config)
    assert exc.value.codes == ["XDSRepositoryMetadataError"]
    soumission = client.soumission_pour(cda(), ids(), config=config)
    soumission.fiches[0] = soumission.fiches[0].with_(taille=1)
    with pytest.raises(DMPRefus) as exc:
        client.fournir_documents(soumission, contexte(), config)
    assert exc.value.codes == ["XDSRepositoryMetadataError"]
    assert server.registre.recus == 0


def test_malformed_unique_id_and_missing_document_are_refused(dmp):
    _, config = dmp
    assert refus(config, cda(root="pas-un-oid")).codes == ["XDSDocumentUniqueIdError"]
    soumission = client.soumission_pour(cda(), ids(), config=config)
    soumission.contenus.clear()
    with pytest.raises(DMPRefus) as exc:
        client.fournir_documents(soumission, contexte(), config)
    assert exc.value.codes == ["XDSMissingDocument"]


def test_another_structure_cannot_feed_in_the_name_of_the_author(dmp):
    _, config = dmp
    erreur = refus(config, cda(), ctx=contexte(structure="1999999999"))
    assert "authorInstitution" in erreur.message


def test_vihf_for_another_patient_is_refused(dmp):
    _, config = dmp
    erreur = refus(config, cda(), ctx=contexte(INS_B))
    assert "XDSPatientIdDoesNotMatch" in erreur.codes


def test_unsigned_expired_or_untrusted_vihf_is_refused(dmp, monkeypatch):
    _, config = dmp
    real_build = vihf.build_assertion

    def unsigned(ctx, signataire):
        assertion = real_build(ctx, signataire)
        assertion.remove(assertion.find("ds:Signature", md.NS))
        return assertion

    monkeypatch.setattr(client, "build_assertion", unsigned)
    assert refus(config, cda()).codes == ["wsse:InvalidSecurity"]

    def expired(ctx, signataire):
        return real_build(
            ctx, signataire, now=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        )

    monkeypatch.setattr(client, "build_assertion", expired)
    assert refus(config, cda()).codes == ["wsse:InvalidSecurityToken"]
    monkeypatch.setattr(client, "build_assertion", real_build)
    stranger = make_test_pki(Path(tempfile.mkdtemp()), "Structure inconnue")
    untrusted = client.DMPConfig(
        repository=config.repository,
        registry=config.registry,
        signataire=Signataire.from_files(str(stranger.client_cert), str(stranger.client_key)),
    )
    erreur = refus(untrusted, cda())
    assert erreur.codes == ["wsse:FailedAuthentication"]
    assert "VIHF" in erreur.message


def test_masked_document_is_hidden_from_other_structures_only(dmp):
    _, config = dmp
    soumission, _ = envoyer(config, cda(), visibilites=(md.MASQUE_PS, md.INVISIBLE_PATIENT))
    mine = client.rechercher_documents(ids().patient_cx, contexte(), config)
    assert [f.visibilites for f in mine] == [(md.MASQUE_PS, md.INVISIBLE_PATIENT)]
    other = contexte(structure="1999999999")
    assert client.rechercher_documents(ids().patient_cx, other, config) == []
    with pytest.raises(DMPRefus) as exc:
        client.recuperer_document(
            mine[0].repository_unique_id, soumission.fiches[0].unique_id, other, config
        )
    assert exc.value.codes == ["XDSDocumentUniqueIdError"]


def test_invisible_to_the_patient_is_hidden_from_a_patient_access(dmp):
    _, config = dmp
    envoyer(config, cda(), visibilites=(md.INVISIBLE_PATIENT,))
    patient = contexte(role="PATIENT")
    assert client.rechercher_documents(ids().patient_cx, patient, config) == []
    assert len(client.rechercher_documents(ids().patient_cx, contexte(), config)) == 1


def test_outage_is_a_technical_error(dmp):
    server, config = dmp
    server.disponible = False
    with pytest.raises(DMPErreurTechnique):
        envoyer(config, cda())
    server.disponible = True
    assert envoyer(config, cda())[1].deja_recu is False


def test_unreachable_dmp_is_a_technical_error(dmp_pki):
    from dui.interop.tests.conftest import dmp_config

    class Stopped:
        repository_url = "https://127.0.0.1:9/repository"
        registry_url = "https://127.0.0.1:9/registry"

    config = dmp_config(dmp_pki, Stopped)
    with pytest.raises(DMPErreurTechnique, match="injoignable"):
        envoyer(config, cda())


def test_simulate_dmp_command_serves_the_client(tmp_path, dmp_pki):
    """The command's server, started on a free port, answers the real client."""
    import threading

    from django.core.management import call_command

    from dui.interop.dmp import simulator as sim
    from dui.interop.tests.conftest import dmp_config

    started = {}
    real_serve = sim.DMPSimulator.serve_forever

    def serve(self, *args, **kwargs):
        started["server"] = self
        ready.set()
        return real_serve(self, *args, **kwargs)

    ready = threading.Event()
    pki_dir = tmp_path / "pki"
    original = sim.DMPSimulator.serve_forever
    sim.DMPSimulator.serve_forever = serve
    try:
        thread = threading.Thread(
            target=call_command,
            args=["simulate_dmp", "--port", "0", "--pki", str(pki_dir)],
            daemon=True,
        )
        thread.start()
        assert ready.wait(10)
        server = started["server"]
        from dui.interop.pki import make_test_pki

        config = dmp_config(make_test_pki(pki_dir), server)
        assert envoyer(config, cda())[1].deja_recu is False
        assert server.registre.recus == 1
    finally:
        sim.DMPSimulator.serve_forever = original
        if "server" in started:
            started["server"].shutdown()


def test_a_lost_answer_is_retried_without_a_duplicate(dmp):
    server, config = dmp
    server.taux_panne_apres = 1.0
    soumission = client.soumission_pour(cda(), ids(), config=config)
    with pytest.raises(DMPErreurTechnique):
        client.fournir_documents(soumission, contexte(), config)
    assert server.registre.recus == 1  # stored although the sender saw an outage
    server.taux_panne_apres = 0.0
    assert client.fournir_documents(soumission, contexte(), config).deja_recu is True
    assert server.registre.recus == 1
