from django.urls import path

from dui.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.journal, name="journal"),
    path("export.csv", views.export_csv, name="export"),
    path("acces-exceptionnels/", views.break_glass_list, name="break_glass"),
]
