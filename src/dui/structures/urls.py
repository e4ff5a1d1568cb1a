from django.urls import path

from dui.structures import views

app_name = "structures"
urlpatterns = [
    path("", views.structure_list, name="list"),
    path("organismes/<int:organisme_id>/modifier/", views.organisme_edit, name="organisme_edit"),
    path("etablissements/nouveau/", views.etablissement_new, name="etablissement_new"),
    path(
        "etablissements/<int:etablissement_id>/",
        views.etablissement_detail,
        name="etablissement",
    ),
    path(
        "etablissements/<int:etablissement_id>/modifier/",
        views.etablissement_edit,
        name="etablissement_edit",
    ),
    path(
        "etablissements/<int:etablissement_id>/unites/nouvelle/",
        views.unite_new,
        name="unite_new",
    ),
    path("unites/<int:unite_id>/modifier/", views.unite_edit, name="unite_edit"),
]
