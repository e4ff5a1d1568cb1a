from dui.comptes.models import Role
from dui.comptes.tests.factories import AffectationFactory


def _nav_labels(response):
    return [item.label for item in response.context["nav_items"]]


def test_soignant_navigation_shows_persons_notes_round_and_break_glass_only(login, collegue):
    response = login(collegue).get("/")
    assert _nav_labels(response) == [
        "Accueil",
        "Personnes accompagnées",
        "Transmissions",
        "Accès exceptionnel",
        "Tournée des médicaments",
    ]


def test_admin_navigation_shows_administration_but_not_persons(login, admin):
    response = login(admin).get("/")
    assert _nav_labels(response) == ["Accueil", "Structures", "Comptes", "Grilles d'évaluation"]


def test_dpo_navigation_shows_the_journal(login, dpo):
    assert "Journal d'accès" in _nav_labels(login(dpo).get("/"))


def test_current_page_is_marked_with_aria_current(login, collegue):
    html = login(collegue).get("/usagers/").content.decode()
    assert '<a href="/usagers/" aria-current="page">Personnes accompagnées</a>' in html
    assert '<a href="/" aria-current="page">' not in html


def test_anonymous_page_has_no_navigation(client, db):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Navigation principale" not in response.content.decode()
    assert "nav_items" not in response.context


def test_switcher_is_an_autosubmit_form_for_users_of_several_etablissements(
    login, collegue, autre_etab
):
    AffectationFactory(
        user=collegue, etablissement=autre_etab, role=Role.objects.get(code="soignant")
    )
    html = login(collegue).get("/").content.decode()
    assert 'name="etablissement_id" data-autosubmit' in html
    assert '<label for="etablissement-switch">' in html


def test_switching_to_one_of_my_etablissements_makes_it_current(login, collegue, autre_etab):
    AffectationFactory(
        user=collegue, etablissement=autre_etab, role=Role.objects.get(code="soignant")
    )
    client = login(collegue)
    response = client.post("/etablissement/", {"etablissement_id": autre_etab.pk}, follow=True)
    assert response.context["etablissement_courant"] == autre_etab
    assert f"Vous travaillez maintenant dans l&#x27;établissement {autre_etab.nom}" in (
        response.content.decode()
    )


def test_switching_to_an_etablissement_that_is_not_mine_is_refused(
    login, collegue, etab, autre_etab
):
    client = login(collegue)
    response = client.post("/etablissement/", {"etablissement_id": autre_etab.pk}, follow=True)
    assert response.context["etablissement_courant"] == etab
    assert "Établissement inconnu ou hors de vos affectations." in response.content.decode()


def test_switching_with_garbage_is_refused_with_a_french_message(login, collegue, etab):
    response = login(collegue).post("/etablissement/", {"etablissement_id": "abc"}, follow=True)
    assert response.context["etablissement_courant"] == etab
    assert "Établissement inconnu" in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(login, collegue):
    csp = login(collegue).get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp


def test_unknown_url_gives_the_french_404_page(login, collegue):
    response = login(collegue).get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
