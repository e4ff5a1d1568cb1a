"""CDA bodies: level 1 (the PDF/A in nonXMLBody) and the DLU level 3 structured body.

The DLU body follows the section list of the CI-SIS DLU-EHPAD 2022.01 model (official example
DLU-EHPAD-DLU_2022.01.xml: section templateIds and LOINC codes), each section filled with a
narrative block built from `dui.dlu.schema.SECTIONS`: the narrative is the attested content.

Entries produced: the FR-Document-attache of the latest signed AGGIR grid (DLU_009, its
PDF/A embedded: "Documents ajoutés" needs at least one); the FR-Disposition of the
"établissement de santé de préférence" (mandatory in the model); one FR-Simple-Observation per
answered yes/no field whose SNOMED CT code belongs to JDV_ObservationEtatPatient (the DLU
schematron checks them); the allergies (IHE PCC allergy concern, generic SNOMED CT type, the
substance as original text; a verified absence coded "no-known-allergies"); the treatments
(FR-Traitement, the product as free text: the DLU keeps no CIS code). Narrative only:
antécédents, pathologies, vaccinations, vital signs (free text, no code to carry) and the
other annexes of the checklist (their files are not kept with the DLU).
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

from dui.interop.cda.header import NS_XSI, sub, ts


@dataclass(frozen=True)
class Annexe:
    code: str  # JDV_ChecklistDLU_CISIS (code system TA_ASIP 1.2.250.1.213.1.1.4.322)
    libelle: str
    pdf: bytes


SNOMED = "2.16.840.1.113883.6.96"
LOINC = "2.16.840.1.113883.6.1"
# JDV_ObservationEtatPatient_CISIS (1.2.250.1.213.1.1.5.514): the observation codes the
# DLU-EHPAD model accepts in its "Observations" section.
OBSERVATION_ETAT_PATIENT = frozenset(
    {
        "288575003",
        "247663003",
        "62476001",
        "24199005",
        "248043008",
        "425104003",
        "397540003",
        "15188001",
        "62305002",
        "161898004",
        "50239007",
        "248046000",
        "386423001",
        "285304000",
        "249492002",
    }
)


def corps_non_structure(doc: etree._Element, pdf: bytes) -> None:
    body = sub(sub(doc, "component"), "nonXMLBody")
    sub(
        body,
        "text",
        base64.b64encode(pdf).decode("ascii"),
        mediaType="application/pdf",
        representation="B64",
    )


# --- DLU ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionCISIS:
    code: str
    titre: str
    template_ids: tuple[str, ...]
    sources: tuple[str, ...]  # dui.dlu.schema section codes, in this order


SECTIONS_DLU: tuple[SectionCISIS, ...] = (
    SectionCISIS(
        "11302-7",
        "Etablissement de santé de préférence",
        ("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.10", "1.2.250.1.213.1.1.2.172"),
        ("etablissement_sante",),
    ),
    SectionCISIS(
        "11450-4",
        "Pathologie en cours",
        (
            "2.16.840.1.113883.10.20.1.11",
            "1.3.6.1.4.1.19376.1.5.3.1.3.6",
            "1.2.250.1.213.1.1.2.132",
        ),
        ("pathologies",),
    ),
    SectionCISIS(
        "11348-0",
        "Antécédents médicaux",
        ("1.3.6.1.4.1.19376.1.5.3.1.3.8", "1.2.250.1.213.1.1.2.134"),
        ("antecedents",),
    ),
    SectionCISIS(
        "48765-2",
        "Allergies et hypersensibilités",
        (
            "2.16.840.1.113883.10.20.1.2",
            "1.3.6.1.4.1.19376.1.5.3.1.3.13",
            "1.2.250.1.213.1.1.2.137",
        ),
        ("allergies",),
    ),
    SectionCISIS(
        "10160-0",
        "Traitements au long cours",
        (
            "2.16.840.1.113883.10.20.1.8",
            "1.3.6.1.4.1.19376.1.5.3.1.3.19",
            "1.2.250.1.213.1.1.2.143",
        ),
        ("traitements",),
    ),
    SectionCISIS(
        "42348-3",
        "Directives anticipées",
        (
            "2.16.840.1.113883.10.20.1.1",
            "1.3.6.1.4.1.19376.1.5.3.1.3.34",
            "1.3.6.1.4.1.19376.1.5.3.1.3.35",
            "1.2.250.1.213.1.1.2.157",
        ),
        ("directives_anticipees",),
    ),
    SectionCISIS(
        "42545-4",
        "Observations",
        (
            "1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9",
            "1.3.6.1.4.1.19376.1.7.3.1.1.13.7",
            "1.2.250.1.213.1.1.2.163",
        ),
        (
            "autonomie",
            "communication",
            "mobilite",
            "nutrition",
            "peau",
            "continence",
            "dispositifs",
            "environnement",
        ),
    ),
    SectionCISIS(
        "30954-2",
        "Résultats d'examens",
        (
            "1.3.6.1.4.1.19376.1.5.3.1.3.27",
            "1.3.6.1.4.1.19376.1.5.3.1.3.28",
            "1.2.250.1.213.1.1.2.151",
        ),
        ("risques_infectieux", "constantes"),
    ),
    SectionCISIS(
        "11369-6",
        "Vaccinations du patient",
        (
            "2.16.840.1.113883.10.20.1.6",
            "1.3.6.1.4.1.19376.1.5.3.1.3.23",
            "1.2.250.1.213.1.1.2.147",
        ),
        ("vaccinations",),
    ),
    SectionCISIS(
        "55112-7",
        "Commentaires",
        (
            "2.16.840.1.113883.10.12.201",
            "1.3.6.1.4.1.19376.1.4.1.2.16",
            "1.2.250.1.213.1.1.2.73",
        ),
        ("habitudes", "commentaires"),
    ),
    SectionCISIS(
        "55107-7",
        "Checklist des documents annexés au DLU",
        ("1.2.250.1.213.1.1.2.37",),
        ("annexes",),
    ),
)


def _affiche(champ: Any, valeur: Any) -> str:
    from dui.dlu import schema

    if valeur in (None, "", []):
        return ""
    if champ.type == schema.OUI_NON:
        return {"oui": "Oui", "non": "Non"}.get(str(valeur), str(valeur))
    if champ.type == schema.CHOIX:
        return dict(champ.choix).get(str(valeur), str(valeur))
    if champ.type == schema.DATE:
        try:
            return datetime.date.fromisoformat(str(valeur)).strftime("%d/%m/%Y")
        except ValueError:
            return str(valeur)
    return str(valeur)


def lignes_dlu(donnees: dict[str, Any], variante: str) -> list[dict[str, Any]]:
    """The DLU content as printable sections: [{code, titre, prioritaire, lignes}], where a
    line is {libelle, valeur} or {colonnes, tableau}; empty fields are left out."""
    from dui.dlu import schema

    result = []
    for section in schema.sections_for(variante):
        values = donnees.get(section.code) or {}
        lignes: list[dict[str, Any]] = []
        for champ in section.champs:
            valeur = values.get(champ.code)
            if champ.type == schema.LISTE:
                rows = [
                    [_affiche(col, (row or {}).get(col.code)) for col in champ.colonnes]
                    for row in (valeur or [])
                    if any((row or {}).get(col.code) for col in champ.colonnes)
                ]
                if rows:
                    lignes.append(
                        {
                            "colonnes": [c.libelle for c in champ.colonnes],
                            "tableau": rows,
                            "ref": f"{section.code}-{champ.code}",
                        }
                    )
            else:
                shown = _affiche(champ, valeur)
                if shown:
                    ligne: dict[str, Any] = {"libelle": champ.libelle, "valeur": shown}
                    if (
                        champ.type == schema.OUI_NON
                        and champ.code_cda
                        and champ.code_cda[0] == SNOMED
                        and champ.code_cda[1] in OBSERVATION_ETAT_PATIENT
                        and valeur in (schema.OUI, schema.NON)
                    ):
                        ligne["observation"] = (champ.code_cda[1], valeur == schema.OUI)
                        ligne["ref"] = f"obs-{section.code}-{champ.code}"
                    lignes.append(ligne)
        result.append(
            {
                "code": section.code,
                "titre": section.titre,
                "prioritaire": section.prioritaire,
                "lignes": lignes,
            }
        )
    return result


def _narratif(text: etree._Element, section: dict[str, Any]) -> None:
    title = sub(text, "paragraph")
    sub(title, "content", section["titre"], styleCode="Bold")
    simples = [ligne for ligne in section["lignes"] if "libelle" in ligne]
    if simples:
        items = sub(text, "list")
        for ligne in simples:
            item = sub(items, "item", f"{ligne['libelle']} : {ligne['valeur']}")
            if ligne.get("ref"):
                item.set("ID", ligne["ref"])
    for ligne in section["lignes"]:
        if "tableau" not in ligne:
            continue
        table = sub(text, "table", border="1")
        head = sub(sub(table, "thead"), "tr")
        for col in ligne["colonnes"]:
            sub(head, "th", col)
        body = sub(table, "tbody")
        for index, row in enumerate(ligne["tableau"], start=1):
            tr = sub(body, "tr")
            tr.set("ID", f"{ligne['ref']}-{index}")
            for column, value in enumerate(row):
                td = sub(tr, "td", value)
                if column == 0:
                    td.set("ID", f"{ligne['ref']}-{index}-1")
    if not section["lignes"]:
        sub(text, "paragraph", "Non renseigné.")


def _new_id() -> str:
    return str(uuid.uuid4()).upper()


def _observation(section: etree._Element, ligne: dict[str, Any], quand: datetime.datetime) -> None:
    code, vrai = ligne["observation"]
    obs = sub(sub(section, "entry"), "observation", classCode="OBS", moodCode="EVN")
    sub(obs, "templateId", root="1.3.6.1.4.1.19376.1.5.3.1.4.13")  # IHE PCC Simple Observation
    sub(obs, "templateId", root="1.2.250.1.213.1.1.3.48")  # FR-Simple-Observation
    sub(obs, "id", root=_new_id())
    sub(
        obs,
        "code",
        code=code,
        displayName=ligne["libelle"],
        codeSystem=SNOMED,
        codeSystemName="SNOMED CT",
    )
    sub(sub(obs, "text"), "reference", value=f"#{ligne['ref']}")
    sub(obs, "statusCode", code="completed")
    sub(obs, "effectiveTime", value=ts(quand))
    sub(obs, "value", value="true" if vrai else "false", **{f"{{{NS_XSI}}}type": "BL"})


def _disposition(section: etree._Element, valeurs: dict[str, Any]) -> None:
    """FR-Disposition: the établissement de santé the person prefers to be taken to."""
    act = sub(sub(section, "entry"), "act", classCode="ACT", moodCode="INT")
    sub(act, "templateId", root="1.3.6.1.4.1.19376.1.5.3.1.1.10.4.2")  # Encounter Disposition
    sub(act, "templateId", root="1.2.250.1.213.1.1.3.97")  # FR-Disposition
    sub(act, "id", root=_new_id())
    sub(
        act,
        "code",
        code="11302-7",
        displayName="Etablissement de santé de préférence",
        codeSystem=LOINC,
        codeSystemName="LOINC",
    )
    sub(sub(act, "text"), "reference", value="#disposition")
    sub(act, "statusCode", code="normal")
    sub(act, "effectiveTime", nullFlavor="NAV")
    nom = str(valeurs.get("nom") or "").strip()
    if not nom:
        return
    role = sub(sub(act, "participant", typeCode="DST"), "participantRole", classCode="ROL")
    finess = "".join(ch for ch in str(valeurs.get("finess") or "") if ch.isalnum())
    if len(finess) == 9:
        sub(role, "id", root="1.2.250.1.71.4.2.2", extension=f"1{finess}")
    adresse = str(valeurs.get("adresse") or "").strip()
    addr = sub(role, "addr")
    if adresse:
        sub(addr, "streetAddressLine", " ".join(adresse.split()))
    else:
        addr.set("nullFlavor", "NASK")
    telephone = "".join(
        ch for ch in str(valeurs.get("telephone") or "") if ch.isdigit() or ch == "+"
    )
    if telephone:
        sub(role, "telecom", value=f"tel:{telephone}", use="WP")
    sub(sub(role, "playingEntity"), "name", nom)


# IHE PCC / CI-SIS allergy templates (official DLU example).
_ALLERGY_CONCERN = (
    "2.16.840.1.113883.10.20.1.27",
    "1.3.6.1.4.1.19376.1.5.3.1.4.5.1",
    "1.3.6.1.4.1.19376.1.5.3.1.4.5.3",
    "1.2.250.1.213.1.1.3.40",
)
_ALLERGY = (
    "2.16.840.1.113883.10.20.1.18",
    "2.16.840.1.113883.10.20.1.28",
    "1.3.6.1.4.1.19376.1.5.3.1.4.5",
    "1.3.6.1.4.1.19376.1.5.3.1.4.6",
    "1.2.250.1.213.1.1.3.41",
)
# SNOMED CT: the DLU keeps allergies as free text, so their kind is the generic one; the
# substance and the reaction are carried as original text pointing to the narrative.
# (JDV_TypeEvenementIndesirablePrevisible_CISIS); a verified absence of allergy is that type
# with the value "no-known-allergies" of JDV_AbsentOrUnknownAllergy_CISIS.
ALLERGIE_GENERIQUE = ("420134006", "propension aux effets indésirables")
AUCUNE_ALLERGIE = ("no-known-allergies", "Pas d'allergie/hypersensibilité connue")
ABSENT_OR_UNKNOWN = "2.16.840.1.113883.5.1150.1"


def _allergies(section: etree._Element, part: dict[str, Any], aucune: bool) -> None:
    table = next((ligne for ligne in part["lignes"] if "tableau" in ligne), None)
    if table is None and not aucune:
        return
    act = sub(sub(section, "entry"), "act", classCode="ACT", moodCode="EVN")
    for root in _ALLERGY_CONCERN:
        sub(act, "templateId", root=root)
    sub(act, "id", root=_new_id())
    sub(act, "code", nullFlavor="NA")
    sub(act, "statusCode", code="active")
    sub(sub(act, "effectiveTime"), "low", nullFlavor="UNK")
    rows: list[tuple[str, str, bool]] = []
    if table is not None:
        rows = [
            (f"{table['ref']}-{i}", f"{table['ref']}-{i}-1", True)
            for i in range(1, len(table["tableau"]) + 1)
        ]
    else:
        rows = [("allergies-aucune", "", False)]
    for ligne_ref, substance_ref, allergie in rows:
        relation = sub(act, "entryRelationship", typeCode="SUBJ", inversionInd="false")
        obs = sub(relation, "observation", classCode="OBS", moodCode="EVN")
        for root in _ALLERGY:
            sub(obs, "templateId", root=root)
        sub(obs, "id", root=_new_id())
        code, libelle = ALLERGIE_GENERIQUE
        sub(
            obs,
            "code",
            code=code,
            displayName=libelle,
            codeSystem=SNOMED,
            codeSystemName="SNOMED CT",
        )
        sub(sub(obs, "text"), "reference", value=f"#{ligne_ref}")
        sub(obs, "statusCode", code="completed")
        sub(sub(obs, "effectiveTime"), "low", nullFlavor="UNK")
        value = sub(obs, "value", **{f"{{{NS_XSI}}}type": "CD"})
        if not allergie:
            value.set("code", AUCUNE_ALLERGIE[0])
            value.set("displayName", AUCUNE_ALLERGIE[1])
            value.set("codeSystem", ABSENT_OR_UNKNOWN)
        sub(sub(value, "originalText"), "reference", value=f"#{ligne_ref}")
        if allergie:
            role = sub(sub(obs, "participant", typeCode="CSM"), "participantRole", classCode="MANU")
            entity = sub(role, "playingEntity", classCode="MMAT")
            substance = sub(entity, "code", nullFlavor="OTH")
            sub(sub(substance, "originalText"), "reference", value=f"#{substance_ref}")


_TRAITEMENT = (
    "2.16.840.1.113883.10.20.1.24",  # Medication Activity (CCD)
    "1.3.6.1.4.1.19376.1.5.3.1.4.7",  # Medications (IHE PCC)
    "1.2.250.1.213.1.1.3.42",  # FR-Traitement
    "1.3.6.1.4.1.19376.1.5.3.1.4.7.1",  # normal dosing
)
_PRODUIT = (
    "2.16.840.1.113883.10.20.1.53",  # Product (CCD)
    "1.3.6.1.4.1.19376.1.5.3.1.4.7.2",  # Product Entry (IHE PCC)
    "1.2.250.1.213.1.1.3.43",  # FR-Produit-de-sante
)


def _traitements(section: etree._Element, part: dict[str, Any]) -> None:
    """One FR-Traitement per line: the product is free text (the DLU keeps no CIS code), its
    name and the row of the narrative (dosage, route, posology) referenced."""
    table = next((ligne for ligne in part["lignes"] if "tableau" in ligne), None)
    if table is None:
        return
    for index, row in enumerate(table["tableau"], start=1):
        ref = f"{table['ref']}-{index}"
        admin = sub(
            sub(section, "entry"), "substanceAdministration", classCode="SBADM", moodCode="INT"
        )
        for root in _TRAITEMENT:
            sub(admin, "templateId", root=root)
        sub(admin, "id", root=_new_id())
        sub(sub(admin, "text"), "reference", value=f"#{ref}")
        sub(admin, "statusCode", code="completed")
        product = sub(sub(admin, "consumable", typeCode="CSM"), "manufacturedProduct")
        for root in _PRODUIT:
            sub(product, "templateId", root=root)
        material = sub(product, "manufacturedMaterial", classCode="MMAT")
        code = sub(material, "code", nullFlavor="NA")
        sub(sub(code, "originalText"), "reference", value=f"#{ref}-1")
        name = " ".join(v for v in row[:2] if v)  # medicament + dosage
        sub(material, "name", name or "Non précisé")


def _annexe(section: etree._Element, annexe: Annexe, quand: datetime.datetime) -> None:
    organizer = sub(sub(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
    sub(organizer, "templateId", root="1.2.250.1.213.1.1.3.18")  # FR-Document-attache
    sub(organizer, "id", root=_new_id())
    sub(organizer, "code", code="55107-7", displayName="Document attaché", codeSystem=LOINC)
    sub(organizer, "statusCode", code="completed")
    obs = sub(sub(organizer, "component"), "observation", classCode="OBS", moodCode="EVN")
    sub(obs, "templateId", root="1.3.6.1.4.1.19376.1.5.3.1.4.13")
    sub(obs, "templateId", root="1.2.250.1.213.1.1.3.48")
    sub(obs, "templateId", root="1.2.250.1.213.1.1.3.48.18")  # FR-Type-document-attache
    sub(obs, "id", root=_new_id())
    sub(obs, "code", code="69764-9", displayName="Type de document", codeSystem=LOINC)
    sub(sub(obs, "text"), "reference", value=f"#annexe-{annexe.code}")
    sub(obs, "statusCode", code="completed")
    sub(obs, "effectiveTime", value=ts(quand))
    sub(
        obs,
        "value",
        code=annexe.code,
        displayName=annexe.libelle,
        codeSystem="1.2.250.1.213.1.1.4.322",
        codeSystemName="TA_ASIP",
        **{f"{{{NS_XSI}}}type": "CD"},
    )
    media = sub(
        sub(organizer, "component"),
        "observationMedia",
        classCode="OBS",
        moodCode="EVN",
        ID=f"doc-{annexe.code}",
    )
    sub(
        media,
        "value",
        base64.b64encode(annexe.pdf).decode("ascii"),
        mediaType="application/pdf",
        representation="B64",
    )


def corps_dlu(
    doc: etree._Element,
    donnees: dict[str, Any],
    variante: str,
    quand: datetime.datetime,
    annexes: tuple[Annexe, ...] = (),
) -> None:
    by_code = {s["code"]: s for s in lignes_dlu(donnees, variante)}
    structured = sub(sub(doc, "component"), "structuredBody")
    for cisis in SECTIONS_DLU:
        parts = [by_code[c] for c in cisis.sources if c in by_code]
        if not parts:
            continue
        section = sub(sub(structured, "component"), "section")
        for root in cisis.template_ids:
            sub(section, "templateId", root=root)
        sub(
            section,
            "code",
            code=cisis.code,
            displayName=cisis.titre,
            codeSystem=LOINC,
            codeSystemName="LOINC",
        )
        sub(section, "title", cisis.titre)
        text = sub(section, "text")
        for part in parts:
            _narratif(text, part)
        if cisis.code == "11302-7":
            text.set("ID", "disposition")
            _disposition(section, donnees.get("etablissement_sante") or {})
        if cisis.code == "48765-2":
            aucune = (donnees.get("allergies") or {}).get("aucune_connue") == "oui"
            if aucune:
                items = text.find("{urn:hl7-org:v3}list")
                if items is not None and len(items):
                    items[0].set("ID", "allergies-aucune")
            _allergies(section, parts[0], aucune)
        if cisis.code == "10160-0":
            _traitements(section, parts[0])
        if cisis.code == "55107-7" and annexes:
            joined = sub(text, "list")
            for annexe in annexes:
                sub(joined, "item", f"Joint à ce document : {annexe.libelle}").set(
                    "ID", f"annexe-{annexe.code}"
                )
            for annexe in annexes:
                _annexe(section, annexe, quand)
        for part in parts:
            for ligne in part["lignes"]:
                if ligne.get("observation"):
                    _observation(section, ligne, quand)
