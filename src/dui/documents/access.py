"""Who may read, add to and sign a person's documents (built on the one policy).

Rules (docs: "Documents"):
- reading a document needs the read right on its category (types.categorie_du_type: a medical
  letter needs `medical`, a care prescription `soins`, an identity card `administratif`);
- confidentiality R (restreint): in addition, the reader works in a health role (Role.is_sante:
  médecin, infirmier, soignant, psychologue, paramédical) where they reach the person, or is
  the document's author;
- confidentiality V (très restreint): the author, or a health role that also reads the
  `medical` category (médecin, infirmier by default);
- adding a document or a version needs the write right on its category (and, for a new version,
  reading the document); signing and withdrawing need reading the document and writing its
  category; a withdrawn document takes no new version nor signature.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dui.comptes import policy
from dui.documents.models import Confidentialite, Document
from dui.usagers.models import Usager

MEDICAL = "medical"


def roles_aupres(user: Any, usager: Usager) -> list[Any]:
    """The user's roles in the établissements through which they reach this person."""
    return policy.usager_roles(user, usager)


def est_sante(user: Any, usager: Usager) -> bool:
    """Whether the user reaches this person through a health role."""
    return policy.allows(user, "usager.sante", usager)


def lisibles_q(user: Any, usager: Usager) -> Q:
    """Q on Document selecting this person's documents the user may read."""
    categories = policy.usager_categories(user, usager)
    if not categories:
        return Q(pk__in=[])
    conf = Q(confidentialite=Confidentialite.NORMAL) | Q(created_by_id=user.pk)
    if est_sante(user, usager):
        conf |= Q(confidentialite=Confidentialite.RESTREINT)
        if MEDICAL in categories:
            conf |= Q(confidentialite=Confidentialite.TRES_RESTREINT)
    return Q(usager=usager, categorie__in=sorted(categories)) & conf


def documents_lisibles(
    user: Any, usager: Usager, *, avec_retires: bool = False
) -> QuerySet[Document]:
    """The person's documents the user may read; withdrawn ones only when asked."""
    qs = Document.objects.filter(lisibles_q(user, usager))
    return qs if avec_retires else qs.filter(retire_le__isnull=True)


def peut_lire(user: Any, document: Document) -> bool:
    usager = document.usager
    categories = policy.usager_categories(user, usager)
    if document.categorie not in categories:
        return False
    if document.confidentialite == Confidentialite.NORMAL or document.created_by_id == user.pk:
        return True
    if not est_sante(user, usager):
        return False
    if document.confidentialite == Confidentialite.RESTREINT:
        return True
    return MEDICAL in categories


def peut_ecrire_categorie(user: Any, usager: Usager, categorie: str) -> bool:
    return categorie in policy.usager_categories(user, usager, write=True)


def categories_ecriture(user: Any, usager: Usager) -> set[str]:
    return policy.usager_categories(user, usager, write=True)


def peut_ajouter_version(user: Any, document: Document) -> bool:
    if document.retire_le is not None:
        return False
    return peut_lire(user, document) and peut_ecrire_categorie(
        user, document.usager, document.categorie
    )


def peut_signer(user: Any, document: Document) -> bool:
    return peut_ajouter_version(user, document)


def peut_retirer(user: Any, document: Document) -> bool:
    return peut_ajouter_version(user, document)


def document_get_for(user: Any, usager: Usager, document_id: int) -> Document:
    """The person's document if the user may read it; Http404 otherwise (existence hidden)."""
    from django.http import Http404

    document = (
        Document.objects.filter(pk=document_id, usager=usager).select_related("usager").first()
    )
    if document is None or not peut_lire(user, document):
        raise Http404("Document introuvable ou non autorisé.")
    return document
