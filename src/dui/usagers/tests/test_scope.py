from dui.audit.models import AuditAction, Entree
from dui.usagers.models import Usager


def test_colleague_in_same_etablissement_opens_the_record_and_it_is_journaled(
    login, collegue, usager
):
    response = login(collegue).get(f"/usagers/{usager.pk}/")
    assert response.status_code == 200
    entry = Entree.objects.get(action=AuditAction.READ, usager_id=usager.pk)
    assert entry.actor_id == collegue.pk


def test_professional_of_another_etablissement_gets_404_and_an_empty_list(
    login, autre_etab_pro, usager
):
    client = login(autre_etab_pro)
    assert client.get(f"/usagers/{usager.pk}/").status_code == 404
    assert not Usager.objects.visible_to(autre_etab_pro).exists()
