from dui.soins import views_dossier
from dui.soins.views import app_name, urlpatterns

urlpatterns = [*urlpatterns, *views_dossier.urlpatterns]

__all__ = ["app_name", "urlpatterns"]
