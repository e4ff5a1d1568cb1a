from dui.accompagnement import views, views_habitudes, views_transmissions

app_name = views.app_name
urlpatterns = [*views.urlpatterns, *views_transmissions.urlpatterns, *views_habitudes.urlpatterns]

__all__ = ["app_name", "urlpatterns"]
