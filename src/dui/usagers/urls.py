from django.urls import path

from dui.usagers import bris_de_glace, views

app_name = "usagers"
urlpatterns = [
    path("", views.usager_list, name="list"),
    path("<int:usager_id>/", views.usager_detail, name="detail"),
    path("acces-exceptionnel/", bris_de_glace.search, name="break_glass_search"),
    path("<int:usager_id>/acces-exceptionnel/", bris_de_glace.open_access, name="break_glass_open"),
]
