"""generer(kind, usager, user, **source): the readable PDF/A and its CDA R2 document.

Sources by kind (keyword arguments):
- "evaluation": evaluation=accompagnement.Evaluation (signed ones carry a legalAuthenticator);
- "lettre_entree" / "lettre_sortie": prise_en_charge=usagers.PriseEnCharge (default: the
  person's latest stay), texte="" (free text added by the writer);
- "projet_personnalise": version=the projet version (PDF from dui.projet.pdf.projet_pdf);
- "dlu": dlu=dlu.DLU (default: dlu_courant), PDF from dui.dlu.pdf.dlu_pdf when present;
- "fiche_transfert": PDF from dui.dlu.pdf.fiche_transfert_pdf when present.
Every kind also takes confidentialite="N"|"R"|"V", etablissement=, and document= (an existing
documents.Document: the CDA then gets its setId, the next versionNumber and an RPLC link).

Nothing is journaled or stored here: the caller journals its read and stores through
`dui.documents.services.enregistrer_document_genere` (see `enregistrer`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from lxml import etree

from dui.interop.cda import body, codes, pdf
from dui.interop.cda.header import (
    INS,
    Entete,
    MedecinTraitant,
    Patient,
    Professionnel,
    Structure,
    construire_entete,
    lire_entete,
)
from dui.interop.cda.validation import valider


class CDAError(Exception):
    """A document that cannot be generated; the message is for people (French)."""


@dataclass
class GeneratedDocument:
    kind: str
    pdf: bytes
    cda: bytes
    type_code: str
    titre: str
    confidentialite: str = "N"
    prise_en_charge: Any = None
    erreurs: list[str] = field(default_factory=list)

    @property
    def valide(self) -> bool:
        """Ready to be sent: the CDA passed the schema and the header rules."""
        return not self.erreurs


# --- Parties -----------------------------------------------------------------------------


def _structure(etab: Any) -> Structure:
    return Structure(
        finess=etab.finess,
        nom=etab.nom,
        categorie=etab.categorie,
        adresse=etab.adresse,
        code_postal=etab.code_postal,
        commune=etab.commune,
    )


def professionnel(user: Any, etab: Any) -> Professionnel:
    """A user as CDA author or signer: RPPS when known, else an id within the structure."""
    pro = getattr(user, "professionnel", None)
    rpps = (pro.rpps if pro else "") or ""
    # Without RPPS, CI-SIS national id type 3: a structure's staff member, FINESS / id.
    extension = f"8{rpps}" if rpps else f"3{etab.finess}/{user.pk}"
    return Professionnel(
        id_root=codes.OID_ID_NAT_PS,
        id_extension=extension,
        nom=user.nom,
        prenom=user.prenom,
        profession=codes.profession(pro.profession if pro else "autre"),
    )


def patient(usager: Any) -> Patient:
    from dui.usagers.identite import ins_for_sharing

    shared = ins_for_sharing(usager)
    return Patient(
        # The identity domain is the organisme: one person, one id across its services.
        id_local=str(usager.pk),
        oid_local=codes.structure_oid(usager.organisme.finess),
        nom_naissance=usager.nom_naissance,
        prenoms_naissance=usager.prenoms_naissance,
        premier_prenom=usager.premier_prenom,
        sexe=usager.sexe,
        date_naissance=usager.date_naissance,
        precision_naissance=usager.date_naissance_precision or "jour",
        lieu_naissance=usager.lieu_naissance_insee,
        nom_utilise=usager.nom_utilise,
        prenom_utilise=usager.prenom_utilise,
        ins=INS(matricule=shared.matricule, oid=shared.oid) if shared else None,
    )


def _etablissement(usager: Any, user: Any, *candidates: Any) -> Any:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    from dui.comptes.models import Affectation

    stays = usager.prises_en_charge.select_related("etablissement").order_by("-date_debut")
    mine = set(
        Affectation.objects.filter(user=user, actif=True).values_list("etablissement_id", flat=True)
    )
    for stay in stays:
        if stay.etablissement_id in mine:
            return stay.etablissement
    first = stays.first()
    if first is not None:
        return first.etablissement
    raise CDAError("La personne n'est accompagnée par aucun établissement ou service.")


def _suite_de(document: Any) -> tuple[str, int, str]:
    """(setId, version number, id of the replaced version) continuing `document`."""
    if document is None:
        return codes.new_document_oid(), 1, ""
    latest = document.versions.exclude(cda="").exclude(cda=None).order_by("-numero").first()
    cda = latest.cda_bytes() if latest is not None else None
    if not cda:
        return codes.new_document_oid(), 1, ""
    previous = lire_entete(cda)
    return previous["set_id"], previous["version"] + 1, previous["document_id"]


# --- Sources -----------------------------------------------------------------------------


@dataclass
class _Contenu:
    pdf: bytes
    titre: str
    acte_debut: datetime.datetime
    acte_fin: datetime.datetime | None = None
    etablissement: Any = None
    prise_en_charge: Any = None
    signataire: Any = None
    signe_le: datetime.datetime | None = None
    structure_dlu: dict[str, Any] | None = None
    variante: str = "ehpad"
    medecin_traitant: MedecinTraitant | None = None
    annexes: tuple[body.Annexe, ...] = ()


def _as_datetime(d: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(d, datetime.time(12, 0)))


def _contexte(usager: Any, user: Any, etab: Any, titre: str, now: datetime.datetime) -> dict:
    from dui.usagers.identite import ins_for_sharing

    pro = getattr(user, "professionnel", None)
    return {
        "titre": titre,
        "usager": usager,
        "ins": ins_for_sharing(usager),
        "etablissement": etab,
        "auteur_nom": user.get_full_name(),
        "auteur_profession": pro.get_profession_display() if pro else "",
        "date": timezone.localtime(now),
    }


def _evaluation(usager: Any, user: Any, now: datetime.datetime, src: dict) -> _Contenu:
    evaluation = src.get("evaluation")
    if evaluation is None or evaluation.usager_id != usager.pk:
        raise CDAError("Choisissez une évaluation de cette personne.")
    if not evaluation.signee:
        raise CDAError("Seule une évaluation signée peut être transmise.")
    etab = _etablissement(usager, user, src.get("etablissement"))
    items = {i.code: i for i in evaluation.grille.items.all()}
    lignes = []
    for reponse in sorted(
        evaluation.reponses.all(),
        key=lambda r: items[r.item_code].ordre if r.item_code in items else 0,
    ):
        item = items.get(reponse.item_code)
        valeur = reponse.valeur
        if isinstance(valeur, dict):
            shown = ", ".join(k for k, v in valeur.items() if v) or "aucun adverbe"
            code = (evaluation.resultat.get("sous_codes") or {}).get(reponse.item_code) or (
                evaluation.resultat.get("codes") or {}
            ).get(reponse.item_code)
            if code:
                shown = f"{code} ({shown})"
        else:
            shown = str(valeur)
        lignes.append(
            {
                "variable": item.variable_libelle if item else reponse.item_code,
                "item": item.libelle if item else "",
                "reponse": shown,
            }
        )
    titre = f"Évaluation {evaluation.grille.libelle}"
    signataire = evaluation.signee_par if evaluation.signee else None
    context = _contexte(usager, user, etab, titre, now)
    context.update({"evaluation": evaluation, "lignes": lignes})
    if signataire is not None:
        context.update(
            {"signataire_nom": signataire.get_full_name(), "signe_le": evaluation.signee_le}
        )
    return _Contenu(
        pdf=pdf.rendre("cda/evaluation.html", context),
        titre=titre,
        acte_debut=_as_datetime(evaluation.date),
        etablissement=etab,
        signataire=signataire,
        signe_le=evaluation.signee_le if signataire else None,
    )


def _lettre(usager: Any, user: Any, now: datetime.datetime, src: dict, *, sortie: bool) -> _Contenu:
    from dui.usagers.synthese import proche_roles

    sejour = src.get("prise_en_charge")
    if sejour is None:
        sejour = usager.prises_en_charge.order_by("-date_debut").first()
    if sejour is None or sejour.usager_id != usager.pk:
        raise CDAError("La personne n'a pas de prise en charge pour cette lettre.")
    if sortie and sejour.date_fin is None:
        raise CDAError("La sortie n'est pas encore enregistrée : pas de lettre de sortie.")
    etab = sejour.etablissement
    titre = (
        f"Lettre de liaison de sortie — {etab.nom}"
        if sortie
        else f"Lettre de liaison d'entrée — {etab.nom}"
    )
    proches = [
        {"nom": p.nom, "prenom": p.prenom, "lien": p.lien, "roles": proche_roles(p)}
        for p in usager.proches.all()
        if proche_roles(p)
    ]
    referents = [
        m.user.get_full_name()
        for m in usager.equipe.filter(
            etablissement=etab, date_fin__isnull=True, is_referent=True
        ).select_related("user")
    ]
    context = _contexte(usager, user, etab, titre, now)
    context.update(
        {
            "sejour": sejour,
            "sortie": sortie,
            "proches": proches,
            "referents": referents,
            "suivis": list(sejour.suivis_sortie.all()) if sortie else [],
            "texte": (src.get("texte") or "").strip(),
        }
    )
    day = sejour.date_fin if sortie else sejour.date_debut
    return _Contenu(
        pdf=pdf.rendre("cda/lettre.html", context),
        titre=titre,
        acte_debut=_as_datetime(day),
        etablissement=etab,
        prise_en_charge=sejour,
    )


def _projet(usager: Any, user: Any, now: datetime.datetime, src: dict) -> _Contenu:
    try:
        from dui.projet.pdf import projet_pdf
    except ImportError as exc:  # pragma: no cover - the projet app ships its PDF
        raise CDAError("L'impression du projet personnalisé n'est pas encore disponible.") from exc
    version = src.get("version")
    if version is None or version.projet.usager_id != usager.pk:
        raise CDAError("Choisissez une version signée du projet personnalisé de cette personne.")
    projet = version.projet
    signe_le = _as_datetime(version.referent_signe_le) if version.referent_signe_le else None
    return _Contenu(
        pdf=projet_pdf(version, pdf_variant=pdf.PDF_VARIANT),
        titre="Projet personnalisé d'accompagnement",
        acte_debut=signe_le or now,
        etablissement=_etablissement(usager, user, src.get("etablissement"), projet.etablissement),
        prise_en_charge=projet.prise_en_charge,
        signataire=version.referent if signe_le else None,
        signe_le=signe_le,
    )


def _dlu_pdf_fallback(usager: Any, user: Any, etab: Any, titre: str, now: Any, dlu: Any) -> bytes:
    context = _contexte(usager, user, etab, titre, now)
    variante = getattr(dlu, "variante", "ehpad") if dlu is not None else "ehpad"
    sections = body.lignes_dlu(dlu.donnees if dlu is not None else {}, variante)
    context["sections"] = sections
    return pdf.rendre("cda/dlu.html", context)


def _dlu(usager: Any, user: Any, now: datetime.datetime, src: dict) -> _Contenu:
    from dui.dlu.queries import dlu_courant

    dlu = src.get("dlu") or dlu_courant(usager)
    if dlu is None or dlu.usager_id != usager.pk:
        raise CDAError("La personne n'a pas de DLU validé.")
    if dlu.statut != "valide":
        raise CDAError("Seul un DLU validé par un professionnel de santé peut être transmis.")
    etab = _etablissement(usager, user, src.get("etablissement"), dlu.etablissement)
    titre = "Dossier de liaison d'urgence"
    try:
        from dui.dlu import pdf as dlu_pdf_module
    except ImportError:
        rendered = _dlu_pdf_fallback(usager, user, etab, titre, now, dlu)
    else:
        # The dlu app's layout, written here as PDF/A (its own dlu_pdf writes plain PDF).
        rendered = bytes(dlu_pdf_module.render_dlu(dlu).write_pdf(pdf_variant=pdf.PDF_VARIANT))
    return _Contenu(
        pdf=rendered,
        titre=titre,
        acte_debut=dlu.valide_le or now,
        etablissement=etab,
        signataire=dlu.valide_par,
        signe_le=dlu.valide_le,
        structure_dlu=dlu.donnees or {},
        variante=dlu.variante,
        medecin_traitant=_medecin(dlu.donnees or {}),
        annexes=_annexes_dlu(usager, user, now, etab),
    )


def _annexes_dlu(usager: Any, user: Any, now: datetime.datetime, etab: Any) -> tuple:
    """The latest signed AGGIR grid as the DLU's DLU_009 annex, when the user may read it."""
    from dui.accompagnement.models import Evaluation, StatutEvaluation
    from dui.comptes import policy

    aggir = (
        Evaluation.objects.filter(
            usager=usager, grille__calcul="aggir", statut=StatutEvaluation.SIGNEE
        )
        .select_related("grille", "signee_par")
        .order_by("-date", "-pk")
        .first()
    )
    if aggir is None or aggir.grille.categorie not in policy.usager_categories(user, usager):
        return ()
    rendered = _evaluation(usager, user, now, {"evaluation": aggir, "etablissement": etab})
    return (body.Annexe("DLU_009", "Grille AGGIR (la plus récente)", rendered.pdf),)


def _medecin(donnees: dict[str, Any]) -> MedecinTraitant:
    m = donnees.get("medecin_traitant") or {}
    rpps = "".join(ch for ch in str(m.get("rpps") or "") if ch.isdigit())
    return MedecinTraitant(
        nom=str(m.get("nom") or "").strip(),
        rpps=rpps if len(rpps) == 11 else "",
        telephone=str(m.get("telephone") or "").strip(),
        adresse=str(m.get("adresse") or "").strip(),
    )


def _fiche_transfert(usager: Any, user: Any, now: datetime.datetime, src: dict) -> _Contenu:
    from dui.dlu.queries import dlu_courant

    etab = _etablissement(usager, user, src.get("etablissement"))
    titre = "Fiche de transfert vers les urgences"
    try:
        from dui.dlu import pdf as dlu_pdf_module
    except ImportError:
        rendered = _dlu_pdf_fallback(usager, user, etab, titre, now, dlu_courant(usager))
    else:
        document = dlu_pdf_module.render_fiche_transfert(
            usager, user, motif=str(src.get("motif") or ""), now=timezone.localtime(now)
        )
        rendered = bytes(document.write_pdf(pdf_variant=pdf.PDF_VARIANT))
    return _Contenu(pdf=rendered, titre=titre, acte_debut=now, etablissement=etab)


_SOURCES = {
    "evaluation": _evaluation,
    "lettre_entree": lambda u, us, n, s: _lettre(u, us, n, s, sortie=False),
    "lettre_sortie": lambda u, us, n, s: _lettre(u, us, n, s, sortie=True),
    "projet_personnalise": _projet,
    "dlu": _dlu,
    "fiche_transfert": _fiche_transfert,
}


def generer(kind: str, usager: Any, user: Any, **source: Any) -> GeneratedDocument:
    """The PDF/A and the CDA R2 of one document, validated (see GeneratedDocument.valide)."""
    if kind not in codes.TYPES:
        raise CDAError(f"Type de document inconnu : {kind}.")
    confidentialite = source.get("confidentialite") or "N"
    if confidentialite not in codes.CONFIDENTIALITE:
        raise CDAError("Niveau de confidentialité inconnu (N, R ou V).")
    now = source.get("maintenant") or timezone.now()
    contenu = _SOURCES[kind](usager, user, now, source)
    type_cda = codes.TYPES[kind]
    etab = contenu.etablissement
    set_oid, version, remplace = _suite_de(source.get("document"))
    sejour = contenu.prise_en_charge
    if sejour is None:
        sejour = usager.prises_en_charge.filter(etablissement=etab).order_by("-date_debut").first()
    # The CI-SIS requires a legalAuthenticator: the signer of the content when there is one
    # (evaluation, DLU, projet), else the professional who issues the document now.
    signataire = contenu.signataire or user
    signe_le = contenu.signe_le if contenu.signataire is not None else now
    entete = Entete(
        type=type_cda,
        titre=contenu.titre,
        date=now,
        confidentialite=confidentialite,
        document_oid=codes.new_document_oid(),
        set_oid=set_oid,
        version=version,
        patient=patient(usager),
        auteur=professionnel(user, etab),
        structure=_structure(etab),
        acte_debut=contenu.acte_debut,
        acte_fin=contenu.acte_fin,
        sejour_debut=sejour.date_debut if sejour else None,
        sejour_fin=sejour.date_fin if sejour else None,
        signataire=professionnel(signataire, etab),
        signe_le=signe_le or now,
        remplace_oid=remplace,
        medecin_traitant=contenu.medecin_traitant,
        template_ids=((codes.TEMPLATE_DLU, codes.TEMPLATE_DLU_VERSION),)
        if type_cda.structure
        else (),
    )
    doc = construire_entete(entete)
    if type_cda.structure:
        body.corps_dlu(
            doc,
            contenu.structure_dlu or {},
            contenu.variante,
            contenu.acte_debut,
            contenu.annexes,
        )
    else:
        body.corps_non_structure(doc, contenu.pdf)
    cda = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return GeneratedDocument(
        kind=kind,
        pdf=contenu.pdf,
        cda=cda,
        type_code=type_cda.code,
        titre=contenu.titre,
        confidentialite=confidentialite,
        prise_en_charge=contenu.prise_en_charge,
        erreurs=valider(cda, usager=usager),
    )


def enregistrer(
    generated: GeneratedDocument,
    *,
    user: Any,
    usager: Any,
    document: Any = None,
    request: Any = None,
) -> Any:
    """Store through the documents service; an invalid CDA is not kept (PDF only)."""
    from dui.documents.services import enregistrer_document_genere

    return enregistrer_document_genere(
        user,
        usager,
        type_code=generated.type_code,
        titre=generated.titre,
        pdf=generated.pdf,
        cda=generated.cda if generated.valide else None,
        confidentialite=generated.confidentialite,
        prise_en_charge=generated.prise_en_charge,
        document=document,
        request=request,
    )
