"""The DLU print layout: fixed-width tables whose widths follow what the columns hold, and
nothing written in a table that spills out of its cell."""

from __future__ import annotations

import pytest
from weasyprint.formatting_structure import boxes

from conftest import make_pro
from dui.dlu import pdf, services
from dui.dlu.tests.dossier import completer_a_la_main, dossier_complet

pytestmark = pytest.mark.django_db


@pytest.fixture
def medecin(etab):
    return make_pro(etab, "medecin", prenom="Marie", nom="Médecin")


@pytest.mark.parametrize(
    ("colonnes", "rows"),
    [
        (["Médicament", "Posologie"], [["Paracétamol 1 g", "1 cp matin, midi, soir si douleur"]]),
        (["A", "B", "C"], []),
        ([f"Colonne {i}" for i in range(9)], [["x" * 60] * 9]),
        (["Vaccin", "Date"], [["Grippe saisonnière (vaccin tétravalent)", "12/10/2025"]]),
    ],
)
def test_widths_are_multiples_of_five_summing_to_a_hundred(colonnes, rows):
    widths = pdf.largeurs(colonnes, rows)
    assert len(widths) == len(colonnes) and sum(widths) == 100
    assert all(w % 5 == 0 and w >= 5 for w in widths)


def test_the_wider_content_gets_the_wider_column():
    widths = pdf.largeurs(
        ["Médicament", "Dose", "Posologie"],
        [["Amlodipine 5 mg", "1", "1 comprimé le matin, à avaler avec un grand verre d'eau"]],
    )
    assert widths[2] > widths[0] > widths[1]


def _cells(box):
    if isinstance(box, boxes.TableCellBox):
        yield box
    for child in getattr(box, "children", []):
        yield from _cells(child)


def _lines(box):
    if isinstance(box, boxes.LineBox):
        yield box
    for child in getattr(box, "children", []):
        yield from _lines(child)


def test_no_text_of_the_heavy_dlu_spills_out_of_its_table_cell(medecin, usager):
    dossier_complet(usager, medecin, lourd=True)
    dlu = services.demarrer(actor=medecin, usager=usager)
    donnees = completer_a_la_main(dlu.donnees, lourd=True)
    donnees["traitements"]["liste"][0]["medicament"] = "Acétylleucine" * 6  # one long word
    dlu = services.enregistrer(
        actor=medecin, dlu=dlu, donnees=donnees, expected_version=dlu.version
    )
    document = pdf.render_dlu(dlu)
    assert 1 <= len(document.pages) <= 2
    cells = [c for page in document.pages for c in _cells(page._page_box)]
    assert len(cells) > 50
    for cell in cells:
        right = cell.content_box_x() + cell.width
        for line in _lines(cell):
            for child in line.children:
                assert child.position_x + child.width <= right + 0.5, (
                    getattr(child, "text", ""),
                    child.position_x + child.width,
                    right,
                )
