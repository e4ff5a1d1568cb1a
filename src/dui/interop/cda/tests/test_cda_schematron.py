"""The official CI-SIS schematrons (structuration minimale, DLU-EHPAD-DLU) run with Saxon-HE
through our ISO Schematron compiler: first proven on the official examples (clean, then
deliberately broken), then applied to the generated documents."""

from __future__ import annotations

import pytest
from lxml import etree

from dui.accompagnement.tests.factories import make_evaluation
from dui.interop.cda import generer
from dui.interop.cda.header import XP
from dui.interop.cda.tests.conftest import qualifier
from dui.interop.cda.tests.test_cda_generation import _dlu
from dui.interop.cda.validation import reference_dir

saxonche = pytest.importorskip(
    "saxonche", reason="saxonche (Saxon-HE) absent : pip install -e .[dev]"
)

from dui.interop.cda import schematron  # noqa: E402

CISIS = reference_dir()
STRUCTURATION_MINIMALE = (
    CISIS / "schematrons" / "profils" / "structurationMinimale" / "ASIP-STRUCT-MIN-StrucMin.sch"
)
DLU_SCH = CISIS / "schematrons" / "CI-SIS_DLU-EHPAD-DLU_2022.01.sch"
# Section and entry models (IHE PCC and ANS) of the CI-SIS content profiles.
MODELES = (
    CISIS / "schematrons" / "profils" / "CI-SIS_ModelesDeContenusCDA.sch",
    CISIS / "schematrons" / "profils" / "CI-SIS_Modeles_ANS.sch",
)
EXEMPLES = CISIS / "ExemplesCDA"
pytestmark = pytest.mark.skipif(
    not (STRUCTURATION_MINIMALE.is_file() and DLU_SCH.is_file() and EXEMPLES.is_dir()),
    reason="schématrons ou exemples CI-SIS absents (../shared/reference/ci-sis)",
)


def _without(document: bytes, *paths: str) -> bytes:
    root = etree.fromstring(document)
    for path in paths:
        for element in root.xpath(path, namespaces=XP):
            element.getparent().remove(element)
    return etree.tostring(root)


def test_the_engine_finds_nothing_in_the_official_example_and_flags_it_once_broken():
    example = (EXEMPLES / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_bytes()
    assert schematron.erreurs(example, STRUCTURATION_MINIMALE) == []

    broken = _without(example, "//h:patient/h:birthplace", "/h:ClinicalDocument/h:setId")
    errors = schematron.erreurs(broken, STRUCTURATION_MINIMALE)
    assert any("les traits de l'INS" in e for e in errors), errors
    assert any("hl7:setId" in e and "mandatory" in e for e in errors), errors


def test_the_engine_runs_the_dlu_schematron_on_the_official_dlu():
    example = (EXEMPLES / "DLU-EHPAD-DLU_2022.01.xml").read_bytes()
    assert schematron.erreurs(example, DLU_SCH) == []
    broken = _without(example, "/h:ClinicalDocument/h:participant[@typeCode='INF']")
    errors = schematron.erreurs(broken, DLU_SCH)
    assert any("participant est fixé à 'INF'" in e for e in errors), errors


def test_the_content_models_accept_the_official_dlu_and_catch_a_broken_entry():
    example = (EXEMPLES / "DLU-EHPAD-DLU_2022.01.xml").read_bytes()
    for modeles in MODELES:
        assert schematron.erreurs(example, modeles) == [], modeles.name
    broken = _without(
        example,
        "//h:section[h:code/@code='11302-7']/h:entry",  # the mandatory FR-Disposition
        "//h:organizer[h:templateId/@root='1.2.250.1.213.1.1.3.18']/h:component"
        "[h:observationMedia]",
    )
    errors = schematron.erreurs(broken, MODELES[1])
    assert any("FR-Disposition" in e for e in errors), errors
    assert any("observation media" in e for e in errors), errors


def test_the_dlu_schematron_checks_its_value_sets():
    """Abstract patterns (is-a + params) and document() on the jeux de valeurs work."""
    example = etree.fromstring((EXEMPLES / "DLU-EHPAD-DLU_2022.01.xml").read_bytes())
    codes = example.xpath(
        "//h:section[h:templateId/@root='1.3.6.1.4.1.19376.1.7.3.1.1.13.7']/h:entry/"
        "h:observation[h:templateId/@root='1.3.6.1.4.1.19376.1.5.3.1.4.13']/h:code",
        namespaces=XP,
    )
    assert codes
    codes[0].set("code", "PAS-DANS-LE-JDV")
    errors = schematron.erreurs(etree.tostring(example), DLU_SCH)
    assert any("PAS-DANS-LE-JDV" in e and "jeu de valeurs" in e for e in errors), errors


@pytest.mark.django_db
def test_generated_documents_pass_the_official_schematrons(usager, referent, etab):
    from dui.usagers.tests.factories import PriseEnChargeFactory

    qualifier(usager)
    lettre = generer("lettre_entree", usager, referent)
    make_evaluation(usager, referent, signed=True)  # the AGGIR annex of the DLU
    dlu_version = _dlu(usager, referent, etab)
    dlu_version.donnees["etablissement_sante"].update({"nom": "CH de Lyon", "finess": "690781810"})
    dlu_version.donnees["mobilite"].update({"chute": "oui", "fugue": "non"})
    dlu_version.save()
    dlu = generer("dlu", usager, referent, dlu=dlu_version)
    other = PriseEnChargeFactory(etablissement=etab).usager  # identité provisoire
    evaluation = generer(
        "evaluation", other, referent, evaluation=make_evaluation(other, referent, signed=True)
    )
    for generated in (lettre, dlu, evaluation):
        assert generated.erreurs == []
        assert schematron.erreurs(generated.cda, STRUCTURATION_MINIMALE) == [], generated.kind
    assert schematron.erreurs(dlu.cda, DLU_SCH) == []
    for modeles in MODELES:
        assert schematron.erreurs(dlu.cda, modeles) == [], modeles.name
    # A verified absence of allergy is coded too, and accepted.
    dlu_version.donnees["allergies"] = {"aucune_connue": "oui", "liste": []}
    dlu_version.save()
    sans_allergie = generer("dlu", usager, referent, dlu=dlu_version)
    for sch in (STRUCTURATION_MINIMALE, DLU_SCH, *MODELES):
        assert schematron.erreurs(sans_allergie.cda, sch) == [], sch.name
    # The official rules and ours agree on a broken INS identity.
    broken = _without(lettre.cda, "//h:patient/h:birthplace")
    assert any(
        "les traits de l'INS" in e for e in schematron.erreurs(broken, STRUCTURATION_MINIMALE)
    )
