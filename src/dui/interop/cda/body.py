"""CDA bodies: level 1 (the PDF/A in nonXMLBody) and the DLU level 3 structured body.

The DLU body follows the section list of the CI-SIS DLU-EHPAD 2022.01 model (official example
DLU-EHPAD-DLU_2022.01.xml: section templateIds and LOINC codes), each section filled with a
narrative block built from `dui.dlu.schema.SECTIONS`. Coded entries are not produced yet (see
the package README): the narrative is the attested content, as CDA allows.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from typing import Any

from lxml import etree

from dui.interop.cda.header import sub


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
                        {"colonnes": [c.libelle for c in champ.colonnes], "tableau": rows}
                    )
            else:
                shown = _affiche(champ, valeur)
                if shown:
                    lignes.append({"libelle": champ.libelle, "valeur": shown})
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
            sub(items, "item", f"{ligne['libelle']} : {ligne['valeur']}")
    for ligne in section["lignes"]:
        if "tableau" not in ligne:
            continue
        table = sub(text, "table", border="1")
        head = sub(sub(table, "thead"), "tr")
        for col in ligne["colonnes"]:
            sub(head, "th", col)
        body = sub(table, "tbody")
        for row in ligne["tableau"]:
            tr = sub(body, "tr")
            for value in row:
                sub(tr, "td", value)
    if not section["lignes"]:
        sub(text, "paragraph", "Non renseigné.")


def corps_dlu(doc: etree._Element, donnees: dict[str, Any], variante: str) -> None:
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
            codeSystem="2.16.840.1.113883.6.1",
            codeSystemName="LOINC",
        )
        sub(section, "title", cisis.titre)
        text = sub(section, "text")
        for part in parts:
            _narratif(text, part)
