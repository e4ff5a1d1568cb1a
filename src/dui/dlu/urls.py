from dui.dlu.views import urlpatterns as urlpatterns

app_name = "dlu"
