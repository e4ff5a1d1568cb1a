from django.urls import include, path

urlpatterns = [
    path("", include("dui.ui.urls")),
    path("", include("dui.comptes.urls")),
    path("administration/structures/", include("dui.structures.urls")),
    path("administration/comptes/", include("dui.comptes.admin_urls")),
    path("usagers/", include("dui.usagers.urls")),
    path("usagers/", include("dui.accompagnement.urls")),
    path("usagers/", include("dui.soins.urls")),
    path("usagers/", include("dui.projet.urls")),
    path("usagers/", include("dui.dlu.urls")),
    path("usagers/", include("dui.documents.urls")),
    path("usagers/", include("dui.interop.dmp.urls")),
    path("usagers/", include("dui.interop.cda.urls")),
    path("journal/", include("dui.audit.urls")),
]

handler404 = "dui.ui.views.not_found"
handler403 = "dui.ui.views.forbidden"
handler500 = "dui.ui.views.server_error"
