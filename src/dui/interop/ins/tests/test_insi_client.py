"""The real INSi client against the simulator over a loopback socket with mutual TLS."""

import dataclasses
import datetime
from pathlib import Path

import pytest

from dui.interop import http
from dui.interop.ins import client
from dui.interop.ins.matricule import OID_INS_NIA, parse_matricule
from dui.interop.ins.schemas import CarteVitale, INSiFault, TraitsRecherche
from dui.interop.ins.simulator import Register, synthetic_register

REFERENCE = Path(__file__).resolve().parents[6] / "shared" / "reference" / "official" / "insi"


def traits(nom, prenom, sexe, date, lieu=""):
    return TraitsRecherche(nom, prenom, sexe, datetime.date.fromisoformat(date), lieu)


def test_single_match_returns_ins_and_traits(insi):
    _, config = insi
    r = client.rechercher_par_traits(traits("Martin-Durand", "Hélène", "F", "1941-05-03"), config)
    assert r.code_cr == "00"
    assert r.traits.liste_prenoms == "HELENE MARIE THERESE"
    assert r.traits.nom_naissance == "MARTIN-DURAND"
    assert parse_matricule(r.ins.matricule).complet == r.ins.matricule
    assert r.historique == []


def test_several_first_names_in_order_match(insi):
    _, config = insi
    r = client.rechercher_par_traits(
        traits("LE GOFF", "JEAN-PIERRE YVES", "M", "1950-11-20"), config
    )
    assert r.code_cr == "00"


def test_a_first_name_that_is_not_the_first_one_finds_nothing(insi):
    _, config = insi
    r = client.rechercher_par_traits(traits("Le Goff", "Yves", "M", "1950-11-20"), config)
    assert r.code_cr == "01"
    assert r.ins is None


def test_single_match_with_history(insi):
    _, config = insi
    r = client.rechercher_par_traits(traits("Petit", "Claude", "F", "1935-03-18"), config)
    assert r.code_cr == "00"
    assert len(r.historique) == 1
    assert r.historique[0].date_fin == datetime.date(2019, 2, 28)


def test_several_matches_then_birthplace_disambiguates(insi):
    _, config = insi
    many = client.rechercher_par_traits(traits("Bernard", "Louise", "F", "1938-02-11"), config)
    assert many.code_cr == "02"
    assert many.ins is None
    one = client.rechercher_par_traits(
        traits("Bernard", "Louise", "F", "1938-02-11", "13055"), config
    )
    assert one.code_cr == "00"
    assert one.traits.lieu_naissance == "13055"


def test_no_match(insi):
    _, config = insi
    r = client.rechercher_par_traits(traits("Inconnu", "Personne", "M", "1950-01-01"), config)
    assert (r.code_cr, r.libelle_cr) == ("01", "Aucune identite trouvee")


def test_corsican_and_foreign_birthplaces(insi):
    _, config = insi
    corse = client.rechercher_par_traits(traits("Santoni", "Marc", "M", "1939-01-15"), config)
    assert corse.traits.lieu_naissance == "2A004"
    assert corse.ins.numero[5:7] == "2A"
    parse_matricule(corse.ins.matricule)
    etranger = client.rechercher_par_traits(traits("N'Diaye", "Aminata", "F", "1960-07-01"), config)
    assert etranger.traits.lieu_naissance == "99341"


def test_nia_is_returned_with_its_oid(insi):
    _, config = insi
    r = client.rechercher_par_traits(traits("Kowalski", "Anna", "F", "1990-04-02"), config)
    assert r.ins.oid == OID_INS_NIA


def test_carte_vitale_of_a_child_on_a_parent_card(insi):
    server, config = insi
    parent = next(
        i
        for i in synthetic_register()
        if i.traits.nom_naissance == "MOREAU" and i.traits.liste_prenoms == "SOPHIE"
    )
    r = client.rechercher_par_carte_vitale(
        CarteVitale(
            nir_ouvrant_droit=parent.ins.matricule,
            nom_naissance="MOREAU",
            date_naissance=datetime.date(2012, 6, 30),
        ),
        config,
    )
    assert r.traits.liste_prenoms == "LUCAS"
    assert b"rechercherInsAvecCarteVitale" in server.requests[-1]


def test_soap_fault_is_raised_as_insi_fault(insi):
    _, config = insi
    with pytest.raises(INSiFault) as excinfo:
        client.rechercher_par_traits(traits("Erreur-Technique", "Jean", "M", "1950-01-01"), config)
    assert excinfo.value.code == "INSI_ERR_TECHNIQUE"


def test_unavailable_service_is_reported_for_a_retry(insi):
    _, config = insi
    with pytest.raises(http.ServiceUnavailable):
        client.rechercher_par_traits(traits("Indisponible", "Jean", "M", "1950-01-01"), config)


def test_unreachable_service_is_reported_for_a_retry(insi):
    server, config = insi
    server.shutdown()
    server.server_close()
    with pytest.raises(http.ServiceUnavailable):
        client.rechercher_par_traits(traits("Petit", "Claude", "F", "1935-03-18"), config)


def test_client_without_certificate_is_refused_by_mutual_tls(insi):
    _, config = insi
    anonymous = dataclasses.replace(
        config, endpoint=dataclasses.replace(config.endpoint, cert_file="", key_file="")
    )
    with pytest.raises(http.ServiceUnavailable):
        client.rechercher_par_traits(traits("Petit", "Claude", "F", "1935-03-18"), anonymous)


def test_request_carries_the_soap_headers_of_the_teleservice(insi):
    server, config = insi
    client.rechercher_par_traits(traits("Petit", "Claude", "F", "1935-03-18"), config)
    sent = server.requests[-1].decode()
    assert "http://www.w3.org/2003/05/soap-envelope" in sent
    assert "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite" in sent
    assert "ContexteLPS" in sent and "ContexteBAM" in sent
    assert "<insrs:NomNaissance>Petit</insrs:NomNaissance>" in sent


def test_verification_of_a_stored_ins(insi):
    _, config = insi
    stored = traits("Petit", "Claude", "F", "1935-03-18", "75056")
    found = client.rechercher_par_traits(stored, config)
    ok = client.verifier(matricule=found.ins.matricule, traits=stored, config=config)
    assert ok.conforme
    changed = client.verifier(matricule="235037505612399", traits=stored, config=config)
    assert not changed.conforme
    assert "le matricule INS a changé" in changed.ecarts


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="dossier de référence INSi absent")
def test_reference_test_identities_are_served_with_their_recorded_history(insi):
    _, config = insi
    r = client.rechercher_par_traits(traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14"), config)
    assert r.ins.matricule == "109076322083489"
    assert [h.matricule for h in r.historique] == ["209076322083439", "209066322012355"]
    assert (
        client.rechercher_par_traits(traits("TCHITCHI", "OLA", "F", "1936-06-21"), config).code_cr
        == "01"
    )
    assert (
        client.rechercher_par_traits(
            traits("TCHITCHI", "CATARINA", "F", "1936-06-21"), config
        ).code_cr
        == "00"
    )


def test_register_without_reference_still_covers_every_case():
    register = Register(synthetic_register())
    codes = {
        register.answer(traits("Bernard", "Louise", "F", "1938-02-11")).code_cr,
        register.answer(traits("Petit", "Claude", "F", "1935-03-18")).code_cr,
        register.answer(traits("Nobody", "X", "F", "1938-02-11")).code_cr,
    }
    assert codes == {"00", "01", "02"}
