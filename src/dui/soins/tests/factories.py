from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from dui.comptes.tests.factories import UserFactory
from dui.soins.models import Allergie, Antecedent, Mesure, Vaccination


class MesureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mesure

    type = "temperature"
    valeur = Decimal("37.0")
    mesure_le = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=5))
    saisi_par = factory.SubFactory(UserFactory)


class AntecedentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Antecedent

    type = "medical"
    libelle = "Diabète de type 2"
    annee = 2015
    saisi_par = factory.SubFactory(UserFactory)


class AllergieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergie

    substance = "Pénicilline"
    type = "allergie"
    severite = "moderee"
    certitude = "confirmee"
    saisi_par = factory.SubFactory(UserFactory)


class VaccinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vaccination

    vaccin = "Grippe saisonnière"
    date = datetime.date(2024, 10, 15)
    saisi_par = factory.SubFactory(UserFactory)


def matrix_args(w: Any, kind: str) -> list[Any]:
    """URL args of a withdraw page for the policy matrix: the person and one entry."""
    factories = {
        "antecedent": AntecedentFactory,
        "allergie": AllergieFactory,
        "vaccination": VaccinationFactory,
    }
    return [w.usager.pk, factories[kind](usager=w.usager, saisi_par=w.target).pk]


def traitement_args(w: Any, kind: str) -> list[Any]:
    """URL args of the Traitements views for the policy matrix: the person and one object."""
    from django.core.files.base import ContentFile

    from dui.soins.models import LigneAutre, LigneMedicament, Prescription

    today = timezone.localdate()
    p = Prescription.objects.create(
        usager=w.usager, date_prescription=today, prescripteur_nom="Dr X", saisi_par=w.target
    )
    if kind == "ordonnance":
        p.document.save("ordonnance", ContentFile(b"%PDF-1.4 x"), save=False)
        p.document_mime = "application/pdf"
        p.save()
        return [w.usager.pk, p.pk]
    if kind == "autre":
        a = LigneAutre.objects.create(
            prescription=p,
            usager=w.usager,
            type="kine",
            libelle="Kiné",
            debut=today,
            saisi_par=w.target,
        )
        return [w.usager.pk, a.pk]
    ligne = LigneMedicament.objects.create(
        prescription=p,
        usager=w.usager,
        medicament="Paracétamol",
        prises=[{"moment": "matin", "heure": "", "quantite": "1"}],
        debut=today,
        saisi_par=w.target,
    )
    return [w.usager.pk, ligne.pk]


def trace_args(w: Any) -> list[Any]:
    """URL args of a trace correction for the policy matrix: one traced dose."""
    from dui.soins.models import Administration, LigneMedicament

    ligne_id = traitement_args(w, "ligne")[1]
    trace = Administration.objects.create(
        ligne=LigneMedicament.objects.get(pk=ligne_id),
        usager=w.usager,
        jour=timezone.localdate(),
        creneau="matin",
        prise="matin",
        quantite=Decimal("1"),
        statut="donne",
        trace_par=w.target,
    )
    return [trace.pk]


def plan_args(w: Any, kind: str) -> list[Any]:
    """URL args of the care plan and observation views for the policy matrix."""
    from dui.soins.models import ObservationMedicale, SoinPlanifie

    if kind == "observation":
        obs = ObservationMedicale.objects.create(
            usager=w.usager, date=timezone.now(), texte="Examen normal.", auteur=w.target
        )
        return [w.usager.pk, obs.pk]
    soin = SoinPlanifie.objects.create(
        usager=w.usager, type="toilette", frequence="quotidien", intervenant="aide_soignant",
        debut=timezone.localdate(), saisi_par=w.target,
    )  # fmt: skip
    return [w.usager.pk, soin.pk]
