from django.urls import path

from dui.interop.cda import views

app_name = "cda"

urlpatterns = [
    path("<int:usager_id>/documents/generer/", views.generer_document, name="generer"),
]
