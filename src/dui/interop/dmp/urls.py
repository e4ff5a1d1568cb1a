from dui.interop.dmp import views

app_name = "dmp"
urlpatterns = views.urlpatterns
