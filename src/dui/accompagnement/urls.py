from dui.accompagnement import (
    views,
    views_grilles,
    views_habitudes,
    views_liaison,
    views_transmissions,
)

app_name = views.app_name
urlpatterns = [
    *views.urlpatterns,
    *views_transmissions.urlpatterns,
    *views_habitudes.urlpatterns,
    *views_liaison.urlpatterns,
    *views_grilles.urlpatterns,
]

__all__ = ["app_name", "urlpatterns"]
