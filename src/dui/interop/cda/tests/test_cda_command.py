"""manage.py cda_valider: conforming and broken files, exit code."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dui.interop.cda.validation import reference_dir

EXAMPLE = reference_dir() / "ExemplesCDA" / "DOC_NON_STRUCTURE_CDA-R2-N1.xml"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not EXAMPLE.is_file(), reason="exemples CI-SIS absents (../shared)"),
]


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("cda_valider", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_conforming_file_passes_and_a_broken_one_fails(tmp_path):
    broken = tmp_path / "casse.xml"
    broken.write_bytes(EXAMPLE.read_bytes().replace(b"<county>51215</county>", b""))
    code, out = _run("--sans-schematron", str(EXAMPLE), str(broken))
    assert code == 1
    assert f"{EXAMPLE} : conforme" in out
    assert f"{broken} : NON CONFORME" in out
    assert "lieu de naissance" in out


def test_the_official_schematrons_run_when_saxonche_is_there():
    pytest.importorskip("saxonche", reason="saxonche absent")
    code, out = _run(str(EXAMPLE))
    assert (code, out.strip()) == (0, f"{EXAMPLE} : conforme")
