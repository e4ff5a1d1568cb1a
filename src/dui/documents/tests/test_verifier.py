"""manage.py documents_verifier finds missing, altered and orphan files."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dui.documents import services
from dui.documents.models import documents_root
from dui.documents.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_root(settings, tmp_path):
    # Other tests' files (their rows rolled back) share the session's default root.
    settings.DOCUMENTS_ROOT = tmp_path / "documents"


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("documents_verifier", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_intact_then_altered_then_missing(referent, usager):
    v = services.enregistrer_document_genere(
        referent, usager, type_code="74207-2", titre="DLU", pdf=f.PDF, cda=f.CDA
    )
    out, _ = _run("--orphelins")
    assert "1 versions vérifiées" in out
    path = documents_root() / v.fichier.name
    path.write_bytes(f.PDF.replace(b"1.4", b"1.7"))
    with pytest.raises(CommandError, match="1 anomalie"):
        _run()
    path.unlink()
    (documents_root() / v.cda.name).unlink()
    err = StringIO()
    with pytest.raises(CommandError, match="2 anomalie"):
        call_command("documents_verifier", stdout=StringIO(), stderr=err)
    assert f"Version {v.pk} : fichier absent." in err.getvalue()
    assert f"Version {v.pk} : fichier CDA absent." in err.getvalue()


def test_orphan_files_are_listed(referent, usager):
    stray = documents_root() / "999" / "perdu.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(f.PDF)
    try:
        err = StringIO()
        with pytest.raises(CommandError, match="1 anomalie"):
            call_command("documents_verifier", "--orphelins", stdout=StringIO(), stderr=err)
        assert "Fichier orphelin : 999/perdu.pdf" in err.getvalue()
    finally:
        stray.unlink()
