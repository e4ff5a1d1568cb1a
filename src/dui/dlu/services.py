"""DLU versions: pre-fill from the record, edit the draft, validate (freeze), yearly review.

A person has at most one draft. Starting a DLU creates the draft from the record (and from
the last validated version for what was typed by hand); saving checks the version the form
displayed (a stale save is refused, nothing written); validating freezes the draft: from
then on its content never changes, and the next edit starts draft n+1. Every write is
journaled inside its transaction, naming sections, never content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from dui import audit
from dui.audit.models import AuditAction
from dui.dlu import access, schema
from dui.dlu.models import DLU, StatutDLU, VarianteDLU
from dui.structures.models import CategorieEtablissement, Etablissement
from dui.usagers.access import ensure_writable
from dui.usagers.models import IntervenantExterieur, PriseEnCharge, Proche, Usager

# A DLU must be reviewed at least once a year (HAS).
REVUE_JOURS = 365

# Categories of établissement whose persons must have a DLU: EHPAD residents (DLU, HAS
# 2015) and people supported at home by a home-care service (DLU-Dom, HAS 2021).
CATEGORIES_DLU = {
    CategorieEtablissement.EHPAD,
    CategorieEtablissement.SAD,
    CategorieEtablissement.SSIAD,
}


# Habits worth reading in an emergency: how to talk to the person, what they eat and drink,
# how they sleep, beliefs that bear on care (e.g. refusal of transfusion), who matters.
DOMAINES_URGENCE = ("communication", "repas", "sommeil", "religion", "personnes")


class DLUError(Exception):
    """A refused change, with the French message shown to the person."""


class DLUConflict(DLUError):
    """Someone saved this draft since the form was displayed: nothing is saved."""

    def __init__(self, current: DLU) -> None:
        author = current.modifie_par
        name = author.get_full_name() or author.email
        super().__init__(
            f"Ce DLU a été modifié par {name} pendant votre saisie : rien n'a été enregistré. "
            "La version actuelle est affichée ; reprenez vos changements."
        )
        self.current = current


# --- Pre-fill -----------------------------------------------------------------------------


def _d(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def sejour_dlu(usager: Usager, today: datetime.date | None = None) -> PriseEnCharge | None:
    """The current stay that calls for a DLU (EHPAD first, then a home-care service)."""
    today = today or timezone.localdate()
    sejours = [
        p
        for p in PriseEnCharge.objects.filter(usager=usager)
        .exclude(date_fin__lt=today)
        .select_related("etablissement", "unite")
        .order_by("-date_debut")
        if p.etablissement.categorie in CATEGORIES_DLU
    ]
    sejours.sort(key=lambda p: p.etablissement.categorie != CategorieEtablissement.EHPAD)
    return sejours[0] if sejours else None


def variante_for(etablissement: Etablissement | None) -> str:
    if etablissement is not None and etablissement.categorie in CategorieEtablissement.domicile():
        return VarianteDLU.DOMICILE
    return VarianteDLU.EHPAD


def _personne(p: Proche) -> dict[str, str]:
    return {
        "nom": f"{p.prenom} {p.nom}".strip(),
        "lien": p.lien,
        "telephone": p.telephone,
    }


def prefill(
    user: Any, usager: Usager, *, variante: str, sejour: PriseEnCharge | None, today: datetime.date
) -> tuple[dict[str, Any], dict[str, str]]:
    """The DLU content the record gives, and per section where it came from.

    Reads only what the user may read: antécédents need medical read (see access.py).
    Sections the record has nothing for stay empty, to be completed by hand.
    """
    from dui.accompagnement.models import DomaineHabitude, Evaluation, HabitudeDeVie
    from dui.soins.constantes import format_valeur
    from dui.soins.models import Antecedent, Mesure, Vaccination
    from dui.usagers.identite import ins_for_sharing

    d = schema.vide(variante)
    src: dict[str, str] = {}

    ins = ins_for_sharing(usager)
    d["identite"].update(
        nom_naissance=usager.nom_naissance,
        prenoms_naissance=usager.prenoms_naissance,
        nom_utilise=usager.nom_utilise,
        prenom_utilise=usager.prenom_utilise,
        date_naissance=_d(usager.date_naissance),
        sexe=usager.sexe,
        matricule_ins=ins.matricule if ins else "",
        oid_ins=ins.oid if ins else "",
    )
    src["identite"] = "Identité du dossier"

    if sejour is not None:
        e = sejour.etablissement
        d["etablissement"].update(
            nom=e.nom,
            finess=e.finess,
            adresse=" ".join(x for x in (e.adresse, e.code_postal, e.commune) if x),
            unite=sejour.unite.nom if sejour.unite else "",
            date_entree=_d(sejour.date_debut),
        )
        src["etablissement"] = "Séjour en cours"

    proches = list(Proche.objects.filter(usager=usager, actif=True))
    confiance = next((p for p in proches if p.is_personne_confiance), None)
    if confiance:
        d["personne_confiance"].update(_personne(confiance))
        src["personne_confiance"] = "Entourage"
    representant = next((p for p in proches if p.is_representant_legal), None)
    if representant:
        d["representant_legal"].update(
            _personne(representant),
            mesure=representant.get_mesure_protection_display()
            + (
                f" ({representant.organisme_mandataire})"
                if representant.organisme_mandataire
                else ""
            ),
        )
        src["representant_legal"] = "Entourage"
    a_prevenir = [p for p in proches if p.is_contact_urgence] or [p for p in proches if p.is_aidant]
    if a_prevenir:
        d["a_prevenir"]["personnes"] = [_personne(p) for p in a_prevenir]
        src["a_prevenir"] = "Entourage"

    intervenants = list(IntervenantExterieur.objects.filter(usager=usager, actif=True))
    medecin = next(
        (i for i in intervenants if i.type == IntervenantExterieur.Type.MEDECIN_TRAITANT), None
    )
    if medecin:
        d["medecin_traitant"].update(
            nom=medecin.nom,
            rpps=medecin.rpps,
            telephone=medecin.telephone,
            adresse=medecin.adresse,
            mssante=medecin.mssante,
        )
        src["medecin_traitant"] = "Intervenants extérieurs"

    dossier, dossier_src = lire_dossier(usager, today)
    for code, values in dossier.items():
        d[code].update(values)
    src.update(dossier_src)

    if access.may_read_medical(user, usager):
        antecedents = list(
            Antecedent.objects.filter(usager=usager, actif=True).exclude(type="familial")
        )
        if antecedents:
            d["antecedents"]["liste"] = [
                {
                    "type": a.get_type_display(),
                    "libelle": a.libelle,
                    "date": a.date.strftime("%d/%m/%Y") if a.date else str(a.annee or ""),
                }
                for a in antecedents
            ]
            src["antecedents"] = "Dossier médical"

    vaccins = list(Vaccination.objects.filter(usager=usager, actif=True).order_by("-date"))
    if vaccins:
        d["vaccinations"]["liste"] = [{"vaccin": v.vaccin, "date": _d(v.date)} for v in vaccins]
        src["vaccinations"] = "Dossier de soins"

    # The latest valid measure of each type (one query, newest first).
    dernieres: dict[str, Mesure] = {}
    for m in Mesure.objects.filter(usager=usager, corrigee_le__isnull=True).order_by("-mesure_le"):
        dernieres.setdefault(m.type, m)
    if dernieres:
        d["constantes"]["liste"] = [
            {
                "libelle": m.get_type_display(),
                "valeur": format_valeur(m.type, m.valeur, m.valeur2),
                "date": timezone.localtime(m.mesure_le).strftime("%d/%m/%Y %H:%M"),
            }
            for m in sorted(dernieres.values(), key=lambda m: m.get_type_display())
        ]
        src["constantes"] = "Constantes"

    gir = (
        Evaluation.objects.filter(usager=usager, grille__code="aggir", statut="signee")
        .order_by("-date", "-pk")
        .first()
    )
    if gir is not None and gir.resultat.get("gir"):
        d["autonomie"]["gir"] = str(gir.resultat["gir"])
        d["autonomie"]["date_evaluation"] = _d(gir.date)
        src["autonomie"] = "Évaluation AGGIR signée"

    habitudes = {h.domaine: h for h in HabitudeDeVie.objects.filter(usager=usager)}
    if habitudes:
        lignes = []
        for code, label in DomaineHabitude.choices:
            h = habitudes.get(code) if code in DOMAINES_URGENCE else None
            if h is None:
                continue
            texte = h.description
            if h.a_eviter:
                texte += f" — À éviter : {h.a_eviter}"
            lignes.append(f"{label} : {texte}")
        d["habitudes"]["texte"] = "\n".join(lignes)
        src["habitudes"] = "Habitudes de vie"
        if "communication" in habitudes:
            d["communication"]["comment_communiquer"] = habitudes["communication"].description
        if "repas" in habitudes:
            d["nutrition"]["commentaire"] = habitudes["repas"].description

    if variante == VarianteDLU.DOMICILE and "environnement" in d:
        aides = [
            f"{i.get_type_display()} : {i.nom}" + (f" ({i.telephone})" if i.telephone else "")
            for i in intervenants
            if i.type != IntervenantExterieur.Type.MEDECIN_TRAITANT
        ]
        d["environnement"]["aides"] = "\n".join(aides)
        aidant = next((p for p in proches if p.is_aidant), None)
        if aidant:
            d["environnement"]["aidant_principal"] = " — ".join(
                x for x in (str(aidant), aidant.lien, aidant.telephone) if x
            )
        if sejour is not None:
            d["environnement"]["service_referent"] = sejour.etablissement.nom
        if aides or aidant or sejour:
            src["environnement"] = "Entourage et intervenants"
    return d, src


def lire_dossier(
    usager: Usager, today: datetime.date
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The record-owned fields (schema.Champ.dossier): allergies from the care file, current
    treatments from the prescriptions, with where they came from."""
    from dui.soins.models import Allergie, AllergieStatut

    d: dict[str, dict[str, Any]] = {
        s.code: {c.code: [] if c.type == schema.LISTE else "" for c in s.champs_dossier}
        for s in schema.SECTIONS_DOSSIER
    }
    src: dict[str, str] = {}
    allergies = list(Allergie.objects.filter(usager=usager, actif=True).order_by("substance"))
    if allergies:
        d["allergies"]["liste"] = [
            {
                "substance": a.substance
                + (" (intolérance)" if a.type == "intolerance" else "")
                + (" (suspectée)" if a.certitude == "suspectee" else ""),
                "reaction": a.reaction,
                "severite": a.severite,
            }
            for a in allergies
        ]
        d["allergies"]["aucune_connue"] = schema.NON
        src["allergies"] = "Dossier de soins"
    elif AllergieStatut.objects.filter(usager=usager, aucune_connue=True).exists():
        d["allergies"]["aucune_connue"] = schema.OUI
        src["allergies"] = "Dossier de soins"

    traitements = _traitements(usager, today)
    if traitements:
        d["traitements"]["liste"] = [
            {
                "medicament": t.medicament,
                "dosage": t.dosage,
                "voie": t.voie,
                "posologie": t.posologie,
                "si_besoin": (t.condition or "oui") if t.si_besoin else "",
            }
            for t in traitements
        ]
        dernier = max(
            (t for t in traitements if t.date_prescription),
            key=lambda t: t.date_prescription,
            default=None,
        )
        if dernier is not None:
            d["traitements"]["date_derniere_prescription"] = _d(dernier.date_prescription)
            d["traitements"]["prescripteur"] = dernier.prescripteur
        src["traitements"] = "Prescriptions en cours"
    return d, src


def _norm(text: Any) -> str:
    """A name compared loosely: case, spacing and parenthesised qualifiers ignored."""
    import re

    return " ".join(re.sub(r"\([^)]*\)", " ", str(text or "")).casefold().split())


def _connus(usager: Usager) -> dict[str, set[str]]:
    """Names the record holds or held (inactive ones too): a DLU row naming one came from
    the record, or was reported into it and later withdrawn there — not a hand entry."""
    from dui.soins.models import Allergie, LigneMedicament

    return {
        "allergies": {
            _norm(n)
            for n in Allergie.objects.filter(usager=usager).values_list("substance", flat=True)
        },
        "traitements": {
            _norm(n)
            for n in LigneMedicament.objects.filter(usager=usager).values_list(
                "medicament", flat=True
            )
        },
    }


def _relire(
    old: dict[str, Any], dossier: dict[str, dict[str, Any]], connus: dict[str, set[str]]
) -> dict[str, Any]:
    """`old` with its record-owned fields replaced by the record's (`dossier`, from
    lire_dossier). List rows of `old` the record does not know were typed by hand in an
    earlier draft: they move to `donnees[A_REPORTER]`, shown flagged until the record
    holds them, never dropped."""
    new = dict(old)
    a_reporter = {k: list(v) for k, v in (old.get(schema.A_REPORTER) or {}).items()}
    for section in schema.SECTIONS_DOSSIER:
        if section.code not in dossier:
            continue
        old_values = old.get(section.code) or {}
        values = dict(old_values)
        known = connus.get(section.code, set())
        for champ in section.champs_dossier:
            values[champ.code] = dossier[section.code][champ.code]
            if champ.type != schema.LISTE:
                continue
            first = champ.colonnes[0].code
            candidates = a_reporter.get(section.code, []) + list(old_values.get(champ.code) or [])
            kept: list[dict[str, Any]] = []
            for row in candidates:
                if _norm(row.get(first)) in known or row in kept or not any(row.values()):
                    continue
                kept.append(row)
            a_reporter[section.code] = kept
        new[section.code] = values
    a_reporter = {k: v for k, v in a_reporter.items() if v}
    if a_reporter:
        new[schema.A_REPORTER] = a_reporter
    else:
        new.pop(schema.A_REPORTER, None)
    return new


def _traitements(usager: Usager, today: datetime.date) -> list[Any]:
    """Current medication lines, once the soins app provides them (contract with "soins")."""
    try:
        from dui.soins.queries import traitements_en_cours
    except ImportError:
        return []
    return list(traitements_en_cours(usager, today))


def _fusion(record: dict[str, Any], precedent: dict[str, Any]) -> dict[str, Any]:
    """Record data where the record has it; otherwise what the previous version said.

    Fields the record feeds (Champ.source) come from the record when it has a value, so an
    allergy added since is in the new draft; fields typed by hand carry over.
    """
    result: dict[str, Any] = {}
    for code, section in record.items():
        old = precedent.get(code) or {}
        spec = schema.SECTIONS_PAR_CODE[code]
        result[code] = {}
        for champ in spec.champs:
            new_value = section.get(champ.code)
            if champ.dossier:
                # Replaced by _relire, which first looks for rows typed by hand in them.
                result[code][champ.code] = old.get(champ.code, new_value)
            elif champ.source and new_value not in ("", [], None):
                result[code][champ.code] = new_value
            else:
                result[code][champ.code] = old.get(champ.code, new_value)
    return result


# --- Writes -------------------------------------------------------------------------------


def demarrer(
    *,
    actor: Any,
    usager: Usager,
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
) -> DLU:
    """The person's draft: the existing one, or a new one pre-filled from the record."""
    today = today or timezone.localdate()
    if not access.may_edit(actor, usager):
        raise DLUError("Vous n'êtes pas habilité à préparer le DLU de cette personne.")
    with transaction.atomic():
        ensure_writable(usager)
        Usager.objects.select_for_update().filter(pk=usager.pk).first()  # serialise starts
        existing = DLU.objects.filter(usager=usager, statut=StatutDLU.BROUILLON).first()
        if existing is not None:
            return existing
        precedent = (
            DLU.objects.filter(usager=usager, statut=StatutDLU.VALIDE).order_by("-numero").first()
        )
        sejour = sejour_dlu(usager, today)
        etab = sejour.etablissement if sejour else (precedent.etablissement if precedent else None)
        variante = variante_for(etab) if sejour or not precedent else precedent.variante
        donnees, sources = prefill(actor, usager, variante=variante, sejour=sejour, today=today)
        if precedent is not None:
            fused = _fusion(donnees, precedent.donnees)
            fused[schema.A_REPORTER] = precedent.donnees.get(schema.A_REPORTER)
            donnees = _relire(fused, donnees, _connus(usager))
        donnees["_source"] = sources
        numero = (DLU.objects.filter(usager=usager).aggregate(n=Max("numero"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                dlu = DLU.objects.create(
                    usager=usager,
                    numero=numero,
                    variante=variante,
                    etablissement=etab,
                    donnees=donnees,
                    cree_par=actor,
                    modifie_par=actor,
                )
        except IntegrityError:
            raise DLUError(
                "Un brouillon de DLU vient d'être créé par quelqu'un d'autre : rouvrez le DLU."
            ) from None
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=dlu,
            usager=usager,
            details={
                "numero": numero,
                "preremplies": sorted(sources),
                "depuis_version": precedent.numero if precedent else None,
            },
        )
    return dlu


def _locked_draft(dlu: DLU, expected_version: int) -> DLU:
    current = DLU.objects.select_for_update().select_related("modifie_par").get(pk=dlu.pk)
    if current.statut != StatutDLU.BROUILLON:
        raise DLUError(
            "Cette version du DLU a été validée : elle ne peut plus être modifiée. "
            "Ouvrez une nouvelle version."
        )
    if current.version != expected_version:
        raise DLUConflict(current)
    return current


def _garder_dossier(code: str, values: Any, current: dict[str, Any]) -> Any:
    if not isinstance(values, dict):
        return values
    result = dict(values)
    for champ in schema.SECTIONS_PAR_CODE[code].champs_dossier:
        if champ.code in current:
            result[champ.code] = current[champ.code]
        else:
            result.pop(champ.code, None)
    return result


def enregistrer(
    *,
    actor: Any,
    dlu: DLU,
    donnees: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> DLU:
    """Save the draft's content (already cleaned by forms.parse). Stale saves are refused."""
    if not access.may_edit(actor, dlu.usager):
        raise DLUError("Vous n'êtes pas habilité à modifier le DLU de cette personne.")
    with transaction.atomic():
        ensure_writable(dlu.usager)
        current = _locked_draft(dlu, expected_version)
        # Record-owned fields are not the form's to change: they keep the draft's values.
        incoming = {
            code: _garder_dossier(code, donnees[code], current.donnees.get(code) or {})
            for code in schema.SECTIONS_PAR_CODE
            if code in donnees
        }
        changed = [code for code, values in incoming.items() if values != current.donnees.get(code)]
        if not changed:
            return current
        merged = dict(current.donnees)
        merged.update({code: incoming[code] for code in changed})
        current.donnees = merged
        current.version += 1
        current.modifie_par = actor
        current.modifie_le = timezone.now()
        current.save(update_fields=["donnees", "version", "modifie_par", "modifie_le"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager=dlu.usager,
            details={"numero": current.numero, "sections": changed, "version": current.version},
        )
    return current


def actualiser(
    *,
    actor: Any,
    dlu: DLU,
    expected_version: int,
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
) -> DLU:
    """Read the record again into the draft (an allergy or a treatment added since it was
    started): record-fed fields take the record's values where it has some, fields typed by
    hand are kept. Stale versions are refused like a save."""
    today = today or timezone.localdate()
    if not access.may_edit(actor, dlu.usager):
        raise DLUError("Vous n'êtes pas habilité à modifier le DLU de cette personne.")
    with transaction.atomic():
        ensure_writable(dlu.usager)
        current = _locked_draft(dlu, expected_version)
        sejour = sejour_dlu(current.usager, today)
        record, sources = prefill(
            actor, current.usager, variante=current.variante, sejour=sejour, today=today
        )
        merged = _fusion(record, current.donnees)
        merged[schema.A_REPORTER] = current.donnees.get(schema.A_REPORTER)
        merged = _relire(merged, record, _connus(current.usager))
        changed = [
            code
            for code in {*merged, schema.A_REPORTER}
            if merged.get(code) != current.donnees.get(code)
        ]
        if not changed:
            return current
        current.donnees = {**merged, "_source": sources}
        current.version += 1
        current.modifie_par = actor
        current.modifie_le = timezone.now()
        current.save(update_fields=["donnees", "version", "modifie_par", "modifie_le"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager=current.usager,
            details={
                "numero": current.numero,
                "sections": changed,
                "version": current.version,
                "actualise_depuis_le_dossier": True,
            },
        )
    return current


def valider(
    *,
    actor: Any,
    dlu: DLU,
    expected_version: int,
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
) -> DLU:
    """Freeze the draft as the person's current DLU (médecin or IDE).

    Allergies and current treatments are read again from the record at this moment: the
    frozen version says what the record said when it was validated, whatever the draft
    showed when it was last refreshed."""
    today = today or timezone.localdate()
    if not access.may_validate(actor, dlu.usager):
        raise DLUError(
            "Seul un médecin ou un infirmier habilité aux données médicales peut valider le DLU."
        )
    with transaction.atomic():
        ensure_writable(dlu.usager)
        current = _locked_draft(dlu, expected_version)
        dossier, sources = lire_dossier(current.usager, today)
        relu = _relire(current.donnees, dossier, _connus(current.usager))
        relu["_source"] = {
            **{k: v for k, v in (current.donnees.get("_source") or {}).items() if k not in dossier},
            **sources,
        }
        actualisees = sorted(
            code
            for code in {*dossier, schema.A_REPORTER}
            if relu.get(code) != current.donnees.get(code)
        )
        current.donnees = relu
        current.statut = StatutDLU.VALIDE
        current.valide_le = timezone.now()
        current.valide_par = actor
        current.version += 1
        from dui.dlu.pdf import dlu_pdf

        current.pdf.save("dlu.pdf", ContentFile(dlu_pdf(current)), save=False)
        current.save(
            update_fields=["donnees", "statut", "valide_le", "valide_par", "version", "pdf"]
        )
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            request=request,
            obj=current,
            usager=dlu.usager,
            details={
                "numero": current.numero,
                "statut": StatutDLU.VALIDE.value,
                "relu_du_dossier": sorted(dossier),
                "sections": actualisees,
            },
        )
    return current


# --- Yearly review ------------------------------------------------------------------------


@dataclass
class ARevoir:
    usager: Usager
    dernier_valide_le: datetime.datetime | None

    @property
    def motif(self) -> str:
        if self.dernier_valide_le is None:
            return "Aucun DLU validé"
        return f"Dernière validation le {timezone.localtime(self.dernier_valide_le):%d/%m/%Y}"


def a_revoir_queryset(
    etablissement: Etablissement, user: Any, today: datetime.date | None = None
) -> QuerySet[Usager]:
    """Persons with a current stay in this EHPAD/home-care service whose DLU is missing or
    was last validated more than a year ago, limited to those the user may see."""
    today = today or timezone.localdate()
    if etablissement.categorie not in CATEGORIES_DLU:
        return Usager.objects.none()
    limite = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=REVUE_JOURS), datetime.time.min)
    )
    dernier = (
        DLU.objects.filter(usager=OuterRef("pk"), statut=StatutDLU.VALIDE)
        .order_by("-valide_le")
        .values("valide_le")[:1]
    )
    en_cours = (
        PriseEnCharge.objects.filter(etablissement=etablissement)
        .exclude(date_fin__lt=today)
        .filter(date_debut__lte=today)
    )
    return (
        Usager.objects.visible_to(user)
        .filter(pk__in=en_cours.values("usager_id"))
        .annotate(dernier_valide_le=Subquery(dernier))
        .filter(Q(dernier_valide_le__isnull=True) | Q(dernier_valide_le__lt=limite))
        .order_by("nom_naissance", "prenoms_naissance")
    )


def a_revoir(
    etablissement: Etablissement, user: Any, today: datetime.date | None = None
) -> list[ARevoir]:
    return [
        ARevoir(u, getattr(u, "dernier_valide_le", None))
        for u in a_revoir_queryset(etablissement, user, today)
    ]
