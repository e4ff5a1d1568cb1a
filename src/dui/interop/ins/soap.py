"""SOAP 1.2 messages of the INSi teleservice (interop.md §1.6), built and read with ElementTree.

Shared by the client (requests out, results in) and the simulator (requests in, results out)
so that both speak exactly the same shapes.
"""

from __future__ import annotations

import datetime
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own peers' messages, see _parse

from dui.interop.ins.schemas import INS, CarteVitale, ResultatINSi, TraitsINS, TraitsRecherche

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_BAM = "urn:siram:bam:ctxbam"
NS_LPS = "urn:siram:lps:ctxlps"
NS_SIRAM = "urn:siram"
NS_REC_SANS = "http://www.cnamts.fr/INSiRecSans"
NS_REC_VIT = "http://www.cnamts.fr/INSiRecVit"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"

ACTION_TRAITS = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
ACTION_VITALE = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"
CONTENT_TYPE = "application/soap+xml; charset=utf-8"

for _prefix, _uri in {
    "soap": NS_SOAP,
    "wsa": NS_WSA,
    "ctxbam": NS_BAM,
    "ctxlps": NS_LPS,
    "siram": NS_SIRAM,
    "insrs": NS_REC_SANS,
    "insrv": NS_REC_VIT,
    "insres": NS_RESULTAT,
}.items():
    ET.register_namespace(_prefix, _uri)


class MalformedMessage(ValueError):
    """The XML is not a message of the expected shape."""


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _sub(
    parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    element = ET.SubElement(parent, q(ns, tag), attrs)
    if text is not None:
        element.text = text
    return element


def _parse(data: bytes) -> ET.Element:
    # Refuse DTDs outright: no entity expansion from a peer.
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise MalformedMessage("DTD interdite dans un message SOAP")
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs refused above
    except ET.ParseError as exc:
        raise MalformedMessage(f"XML invalide : {exc}") from exc


def _text(element: ET.Element | None, path: str, ns: dict[str, str]) -> str:
    if element is None:
        return ""
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def _iso_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_request(
    *,
    action: str,
    emetteur: str,
    idam: str,
    lps_nom: str,
    lps_version: str,
    body: ET.Element,
    carte_vitale: CarteVitale | None = None,
) -> bytes:
    envelope = ET.Element(q(NS_SOAP, "Envelope"))
    header = _sub(envelope, NS_SOAP, "Header")
    bam = _sub(header, NS_BAM, "ContexteBAM", Version="01_02")
    _sub(bam, NS_BAM, "Id", str(uuid.uuid4()))
    _sub(bam, NS_BAM, "Temps", _iso_now())
    _sub(bam, NS_BAM, "Emetteur", emetteur)
    couverture = _sub(bam, NS_BAM, "COUVERTURE")
    if carte_vitale is not None:
        assure = _sub(couverture, NS_BAM, "ASSURE")
        _sub(_sub(assure, NS_BAM, "Id"), NS_BAM, "Num", carte_vitale.nir_ouvrant_droit)
        beneficiaire = _sub(couverture, NS_BAM, "BENEFICIAIRE")
        if carte_vitale.nir_individu:
            _sub(_sub(beneficiaire, NS_BAM, "Nir"), NS_BAM, "Num", carte_vitale.nir_individu)
        _sub(beneficiaire, NS_BAM, "DateNai", carte_vitale.date_naissance.isoformat())
        _sub(beneficiaire, NS_BAM, "Rang", str(carte_vitale.rang_naissance))
    lps = _sub(header, NS_LPS, "ContexteLPS", Nature="CTXLPS", Version="01_00")
    _sub(lps, NS_LPS, "Id", str(uuid.uuid4()))
    _sub(lps, NS_LPS, "Temps", _iso_now())
    _sub(lps, NS_LPS, "Emetteur", emetteur)
    lps_el = _sub(lps, NS_LPS, "LPS")
    _sub(lps_el, NS_LPS, "IDAM", idam, R="4")
    _sub(lps_el, NS_LPS, "Version", lps_version)
    _sub(lps_el, NS_LPS, "Instance", str(uuid.uuid4()))
    _sub(lps_el, NS_LPS, "Nom", f"urn:lps:{lps_nom}:{lps_version}")
    _sub(header, NS_WSA, "Action", action)
    _sub(header, NS_WSA, "MessageID", f"uuid:{uuid.uuid4()}")
    soap_body = _sub(envelope, NS_SOAP, "Body")
    soap_body.append(body)
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def traits_body(traits: TraitsRecherche) -> ET.Element:
    body = ET.Element(q(NS_REC_SANS, "RECSANSVITALE"))
    _sub(body, NS_REC_SANS, "NomNaissance", traits.nom_naissance)
    _sub(body, NS_REC_SANS, "Prenom", traits.prenom)
    _sub(body, NS_REC_SANS, "Sexe", traits.sexe)
    _sub(body, NS_REC_SANS, "DateNaissance", traits.date_naissance.isoformat())
    if traits.lieu_naissance:
        _sub(body, NS_REC_SANS, "LieuNaissance", traits.lieu_naissance)
    return body


def vitale_body(carte: CarteVitale) -> ET.Element:
    body = ET.Element(q(NS_REC_VIT, "RECVITALE"))
    if carte.nir_individu:
        ident = _sub(body, NS_REC_VIT, "MatriculeIndividu")
        _sub(ident, NS_REC_VIT, "NumIdentifiant", carte.nir_individu)
    od = _sub(body, NS_REC_VIT, "MatriculeOD")
    _sub(od, NS_REC_VIT, "NumIdentifiant", carte.nir_ouvrant_droit)
    _sub(body, NS_REC_VIT, "NomNaissance", carte.nom_naissance)
    _sub(body, NS_REC_VIT, "DateNaissance", carte.date_naissance.isoformat())
    _sub(body, NS_REC_VIT, "RangNaissance", str(carte.rang_naissance))
    return body


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _ins(element: ET.Element, ns: dict[str, str]) -> INS:
    return INS(
        numero=_text(element, "r:IdIndividu/r:NumIdentifiant", ns),
        cle=_text(element, "r:IdIndividu/r:Cle", ns),
        oid=_text(element, "r:OID", ns),
        date_debut=_date(_text(element, "r:DateDeb", ns)),
        date_fin=_date(_text(element, "r:DateFin", ns)),
    )


def parse_response(data: bytes) -> ResultatINSi:
    """Read a RESULTAT; raise INSiFault for a SOAP fault, MalformedMessage otherwise."""
    from dui.interop.ins.schemas import INSiFault

    root = _parse(data)
    fault = root.find(f".//{q(NS_SOAP, 'Fault')}")
    if fault is not None:
        ns = {"s": NS_SOAP, "siram": NS_SIRAM}
        erreur = fault.find(".//siram:Erreur", ns)
        code = (erreur.get("code") if erreur is not None else "") or _text(
            fault, "s:Code/s:Value", ns
        )
        message = (
            (erreur.text or "").strip()
            if erreur is not None
            else _text(fault, "s:Reason/s:Text", ns)
        )
        raise INSiFault(code or "inconnu", message or "Erreur INSi")
    resultat = root.find(f".//{q(NS_RESULTAT, 'RESULTAT')}")
    if resultat is None:
        raise MalformedMessage("Réponse INSi sans RESULTAT")
    ns = {"r": NS_RESULTAT}
    code_cr = _text(resultat, "r:CR/r:CodeCR", ns)
    libelle = _text(resultat, "r:CR/r:LibelleCR", ns)
    individu = resultat.find("r:INDIVIDU", ns)
    if individu is None:
        return ResultatINSi(code_cr=code_cr, libelle_cr=libelle)
    actif = individu.find("r:INSACTIF", ns)
    tiq = individu.find("r:TIQ", ns)
    traits = None
    if tiq is not None:
        traits = TraitsINS(
            nom_naissance=_text(tiq, "r:NomNaissance", ns),
            liste_prenoms=_text(tiq, "r:ListePrenom", ns),
            sexe=_text(tiq, "r:Sexe", ns),
            date_naissance=datetime.date.fromisoformat(_text(tiq, "r:DateNaissance", ns)),
            lieu_naissance=_text(tiq, "r:LieuNaissance", ns),
        )
    return ResultatINSi(
        code_cr=code_cr,
        libelle_cr=libelle,
        ins=_ins(actif, ns) if actif is not None else None,
        traits=traits,
        historique=[_ins(h, ns) for h in individu.findall("r:INSHISTO", ns)],
    )


# --- server side (simulator) -------------------------------------------------------------


def parse_request(data: bytes) -> tuple[str, TraitsRecherche | CarteVitale]:
    """Read an INSi request: (wsa:Action, criteria)."""
    root = _parse(data)
    ns = {"s": NS_SOAP, "wsa": NS_WSA, "rs": NS_REC_SANS, "rv": NS_REC_VIT}
    if root.tag != q(NS_SOAP, "Envelope"):
        raise MalformedMessage("Enveloppe SOAP 1.2 attendue")
    action = _text(root, "s:Header/wsa:Action", ns)
    sans = root.find("s:Body/rs:RECSANSVITALE", ns)
    if sans is not None:
        try:
            date = datetime.date.fromisoformat(_text(sans, "rs:DateNaissance", ns))
        except ValueError as exc:
            raise MalformedMessage("DateNaissance invalide") from exc
        return action, TraitsRecherche(
            nom_naissance=_text(sans, "rs:NomNaissance", ns),
            prenom=_text(sans, "rs:Prenom", ns),
            sexe=_text(sans, "rs:Sexe", ns),
            date_naissance=date,
            lieu_naissance=_text(sans, "rs:LieuNaissance", ns),
        )
    vit = root.find("s:Body/rv:RECVITALE", ns)
    if vit is not None:
        try:
            date = datetime.date.fromisoformat(_text(vit, "rv:DateNaissance", ns))
            rang = int(_text(vit, "rv:RangNaissance", ns) or "1")
        except ValueError as exc:
            raise MalformedMessage("DateNaissance ou RangNaissance invalide") from exc
        return action, CarteVitale(
            nir_ouvrant_droit=_text(vit, "rv:MatriculeOD/rv:NumIdentifiant", ns),
            nir_individu=_text(vit, "rv:MatriculeIndividu/rv:NumIdentifiant", ns),
            nom_naissance=_text(vit, "rv:NomNaissance", ns),
            date_naissance=date,
            rang_naissance=rang,
        )
    raise MalformedMessage("Corps de requête INSi inconnu")


def build_response(resultat: ResultatINSi) -> bytes:
    envelope = ET.Element(q(NS_SOAP, "Envelope"))
    body = _sub(envelope, NS_SOAP, "Body")
    res = _sub(body, NS_RESULTAT, "RESULTAT")
    cr = _sub(res, NS_RESULTAT, "CR")
    _sub(cr, NS_RESULTAT, "CodeCR", resultat.code_cr)
    _sub(cr, NS_RESULTAT, "LibelleCR", resultat.libelle_cr)
    if resultat.ins is not None and resultat.traits is not None:
        individu = _sub(res, NS_RESULTAT, "INDIVIDU")
        for tag, ins in [("INSACTIF", resultat.ins)] + [
            ("INSHISTO", h) for h in resultat.historique
        ]:
            el = _sub(individu, NS_RESULTAT, tag)
            ident = _sub(el, NS_RESULTAT, "IdIndividu")
            _sub(ident, NS_RESULTAT, "NumIdentifiant", ins.numero)
            _sub(ident, NS_RESULTAT, "Cle", ins.cle)
            _sub(el, NS_RESULTAT, "OID", ins.oid)
            if ins.date_debut:
                _sub(el, NS_RESULTAT, "DateDeb", ins.date_debut.isoformat())
            if ins.date_fin:
                _sub(el, NS_RESULTAT, "DateFin", ins.date_fin.isoformat())
        tiq = _sub(individu, NS_RESULTAT, "TIQ")
        t = resultat.traits
        _sub(tiq, NS_RESULTAT, "NomNaissance", t.nom_naissance)
        _sub(tiq, NS_RESULTAT, "ListePrenom", t.liste_prenoms)
        _sub(tiq, NS_RESULTAT, "Sexe", t.sexe)
        _sub(tiq, NS_RESULTAT, "DateNaissance", t.date_naissance.isoformat())
        _sub(tiq, NS_RESULTAT, "LieuNaissance", t.lieu_naissance)
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def build_fault(code: str, message: str, *, sender: bool = True) -> bytes:
    envelope = ET.Element(q(NS_SOAP, "Envelope"))
    body = _sub(envelope, NS_SOAP, "Body")
    fault = _sub(body, NS_SOAP, "Fault")
    code_el = _sub(fault, NS_SOAP, "Code")
    _sub(code_el, NS_SOAP, "Value", "soap:Sender" if sender else "soap:Receiver")
    reason = _sub(fault, NS_SOAP, "Reason")
    _sub(reason, NS_SOAP, "Text", message, **{"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    detail = _sub(fault, NS_SOAP, "Detail")
    _sub(detail, NS_SIRAM, "Erreur", message, code=code, severite="2")
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)
