"""What the DMP metadata needs from a CDA R2 header (CI-SIS structuration minimale), read
by `dui.interop.cda.header.lire_entete` (the cda package owns CDA reading)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dui.interop.dmp.xml import MalformedMessage, parse


@dataclass(frozen=True)
class EnteteCDA:
    id_root: str
    id_extension: str
    type_code: str
    type_systeme: str
    titre: str
    effective_time: str
    confidentialite: str
    langue: str
    template_ids: tuple[str, ...]
    patient_ids: tuple[tuple[str, str], ...]  # (root, extension)
    traits_ins_complets: bool
    auteur_id: str
    auteur_id_root: str
    auteur_nom: str
    auteur_prenom: str
    auteur_profession: str
    auteur_profession_systeme: str
    organisation_id: str
    organisation_nom: str
    practice_setting: str
    facility_type: str
    service_debut: str
    service_fin: str
    non_structure: bool
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def unique_id(self) -> str:
        return f"{self.id_root}^{self.id_extension}" if self.id_extension else self.id_root


def lire_entete(cda: bytes) -> EnteteCDA:
    """The header as the cda package reads it (contract `cda.header.lire_entete`), in the
    shape the XDS metadata builder needs. ValueError / MalformedMessage when unreadable."""
    from dui.interop.cda.header import lire_entete as lire

    if b"<!DOCTYPE" in cda[:4096] or b"<!ENTITY" in cda:
        raise MalformedMessage("DTD interdite dans un document CDA")
    root_element = parse(cda)
    if root_element.tag != "{urn:hl7-org:v3}ClinicalDocument":
        raise ValueError("Ce n'est pas un document CDA R2.")
    try:
        h = lire(root_element)
    except (KeyError, AttributeError, TypeError) as exc:
        raise ValueError("En-tête CDA illisible.") from exc
    patient = h.get("patient") or {}
    auteur = h.get("auteur") or {}
    structure = h.get("auteur_structure") or {}
    acte = h.get("acte") or {}
    root, _, extension = (h.get("document_id") or "").partition("^")
    ids = []
    if patient.get("ins"):
        ids.append((patient.get("oid_ins", ""), patient["ins"]))
    if patient.get("id_local"):
        ids.append((patient.get("oid_local", ""), patient["id_local"]))
    traits = all(
        patient.get(k)
        for k in (
            "nom_naissance",
            "prenoms",
            "premier_prenom",
            "sexe",
            "date_naissance",
            "lieu_naissance",
        )
    )
    finess = structure.get("finess", "")
    return EnteteCDA(
        id_root=root,
        id_extension=extension,
        type_code=h.get("type_code", ""),
        type_systeme=h.get("type_systeme", ""),
        titre=h.get("titre", ""),
        effective_time=h.get("date", ""),
        confidentialite=h.get("confidentialite", ""),
        langue=h.get("langue", ""),
        template_ids=tuple(h.get("template_ids") or ()),
        patient_ids=tuple(ids),
        traits_ins_complets=traits,
        auteur_id=auteur.get("id", ""),
        auteur_id_root=auteur.get("id_root", ""),
        auteur_nom=auteur.get("nom", ""),
        auteur_prenom=auteur.get("prenom", ""),
        auteur_profession=auteur.get("role_code", ""),
        auteur_profession_systeme=auteur.get("role_systeme", ""),
        # idNatSt of a FINESS is "1" + FINESS (interop.md §3.4).
        organisation_id=f"1{finess}" if len(finess) == 9 else finess,
        organisation_nom=structure.get("nom", ""),
        practice_setting=(h.get("practice_setting") or {}).get("code", ""),
        facility_type=(h.get("healthcare_facility_type") or {}).get("code", ""),
        service_debut=acte.get("debut", ""),
        service_fin=acte.get("fin", ""),
        non_structure=h.get("niveau") == 1,
    )
