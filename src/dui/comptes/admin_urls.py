from django.urls import path

from dui.comptes import admin_views

app_name = "comptes_admin"
urlpatterns = [
    path("", admin_views.user_list, name="users"),
]
