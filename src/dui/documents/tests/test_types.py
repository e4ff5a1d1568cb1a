"""The document types are the CI-SIS ones: codes, code systems and labels as in the value set
JDV_J07_XdsTypeCode_CISIS (skipped when the reference files are not next to the checkout)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dui.documents import types


def _value_set():
    from dui.interop.cda.validation import reference_dir

    path = reference_dir() / "jeuxDeValeurs" / "JDV_J07_XdsTypeCode_CISIS.xml"
    if not path.exists():
        pytest.skip(f"Jeu de valeurs absent : {path}")
    root = ET.parse(path).getroot()
    ns = {"s": "urn:ihe:iti:svs:2008"}
    assert root.find("s:ValueSet", ns).get("id") == types.VALUE_SET_OID
    return {
        c.get("code"): (c.get("codeSystem"), c.get("displayName"))
        for c in root.iterfind(".//s:Concept", ns)
    }


def test_every_type_is_in_the_ci_sis_value_set_with_its_label():
    concepts = _value_set()
    mismatches = [
        (t.code, t.systeme, t.libelle, concepts.get(t.code))
        for t in types.TYPES
        if concepts.get(t.code) != (t.systeme, t.libelle)
    ]
    assert mismatches == []


def test_unknown_types_need_the_most_protected_category():
    assert types.categorie_du_type("00000-0") == "medical"
    assert types.categorie_du_type(types.PIECE_IDENTITE) == "administratif"
    assert types.categorie_du_type(types.FICHE_RETOUR_URGENCES) == "soins"
    assert types.categorie_du_type(types.ORDONNANCE) == "medical"
