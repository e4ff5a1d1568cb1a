"""The first administrator of a new installation, created from the command line."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from dui.audit.models import Entree
from dui.comptes import policy
from dui.comptes.models import User
from dui.structures.models import Etablissement, OrganismeGestionnaire

ARGS = [
    "--organisme",
    "Association Les Glycines",
    "--finess-juridique",
    "750803454",
    "--etablissement",
    "EHPAD Les Glycines",
    "--finess",
    "540002698",
    "--categorie",
    "500",
    "--capacite",
    "80",
    "--email",
    "Admin@Glycines.fr",
    "--nom",
    "Durand",
    "--prenom",
    "Alice",
]


def test_creates_organisme_etablissement_and_an_administrator_with_a_setup_link(
    db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("init_structure", *ARGS)
    user = User.objects.get(email="admin@glycines.fr")
    etab = Etablissement.objects.get(finess="540002698")
    assert policy.allows(user, "etablissement.admin", etab)
    assert not user.has_usable_password()
    assert "/mot-de-passe/" in mail.outbox[0].body
    assert "http://127.0.0.1:8000/mot-de-passe/" in capsys.readouterr().out
    labels = set(Entree.objects.values_list("actor_label", flat=True))
    assert "manage.py init_structure" in labels


def test_bad_finess_changes_nothing(db):
    args = list(ARGS)
    args[args.index("540002698")] = "54000269"
    with pytest.raises(CommandError, match="9 caractères"):
        call_command("init_structure", *args)
    assert not OrganismeGestionnaire.objects.exists()
    assert not User.objects.exists()


def test_key_failure_needs_explicit_confirmation(db):
    args = list(ARGS)
    args[args.index("540002698")] = "458174839"
    with pytest.raises(CommandError, match="confirmer-finess"):
        call_command("init_structure", *args)
    assert not OrganismeGestionnaire.objects.exists()
    call_command("init_structure", *args, "--confirmer-finess")
    assert Etablissement.objects.get(finess="458174839").finess_cle_confirmee
