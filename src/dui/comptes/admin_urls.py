from django.urls import path

from dui.comptes import admin_views

app_name = "comptes_admin"
urlpatterns = [
    path("", admin_views.user_list, name="users"),
    path("nouveau/", admin_views.user_new, name="user_new"),
    path("<int:user_id>/", admin_views.user_detail, name="user"),
    path("<int:user_id>/modifier/", admin_views.user_edit, name="user_edit"),
    path("<int:user_id>/desactiver/", admin_views.user_deactivate, name="user_deactivate"),
    path("<int:user_id>/affectations/", admin_views.affectation_edit, name="affectation_edit"),
    path(
        "<int:user_id>/affectations/<int:affectation_id>/retirer/",
        admin_views.affectation_remove,
        name="affectation_remove",
    ),
    path(
        "habilitations/<int:etablissement_id>/",
        admin_views.habilitations,
        name="habilitations",
    ),
]
