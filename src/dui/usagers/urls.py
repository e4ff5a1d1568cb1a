from django.urls import path

from dui.usagers import views

app_name = "usagers"
urlpatterns = [
    path("", views.usager_list, name="list"),
    path("<int:usager_id>/", views.usager_detail, name="detail"),
]
