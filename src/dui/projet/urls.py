from dui.projet import views

app_name = views.app_name
urlpatterns = views.urlpatterns

__all__ = ["app_name", "urlpatterns"]
