from django.urls import path

from dui.ui import views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("etablissement/", views.switch_etablissement, name="switch_etablissement"),
    path("sante/", views.health, name="health"),
]
