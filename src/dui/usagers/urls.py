from django.urls import path

from dui.usagers import (
    bris_de_glace,
    views,
    views_entourage,
    views_identite,
    views_parcours,
    views_vigilance,
)

app_name = "usagers"
urlpatterns = [
    path("", views.usager_list, name="list"),
    path("<int:usager_id>/", views.usager_detail, name="detail"),
    path("<int:usager_id>/photo/", views.usager_photo, name="photo"),
    path("acces-exceptionnel/", bris_de_glace.search, name="break_glass_search"),
    path("<int:usager_id>/acces-exceptionnel/", bris_de_glace.open_access, name="break_glass_open"),
]
# Each part of the record owns its URLs (same "usagers" namespace).
urlpatterns += views_identite.urlpatterns
urlpatterns += views_parcours.urlpatterns
urlpatterns += views_entourage.urlpatterns
urlpatterns += views_vigilance.urlpatterns
