from dui.documents import views

app_name = "documents"
urlpatterns = views.urlpatterns
