from django.urls import path

from dui.comptes import views

app_name = "comptes"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/code/", views.otp_view, name="otp"),
    path("connexion/activation/", views.otp_enrol_view, name="otp_enrol"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("compte/", views.mon_compte, name="mon_compte"),
]
