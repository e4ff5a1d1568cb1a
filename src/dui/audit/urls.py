from django.urls import path

from dui.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.journal, name="journal"),
]
