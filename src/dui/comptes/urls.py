from django.urls import path

from dui.comptes import views

app_name = "comptes"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/code/", views.otp_view, name="otp"),
    path("connexion/activation/", views.otp_enrol_view, name="otp_enrol"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("compte/", views.mon_compte, name="mon_compte"),
    path("compte/codes-de-secours/", views.recovery_codes_view, name="recovery_codes"),
    path("mot-de-passe/oubli/", views.password_reset, name="password_reset"),
    path("mot-de-passe/oubli/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("mot-de-passe/change/", views.password_reset_complete, name="password_reset_complete"),
]
