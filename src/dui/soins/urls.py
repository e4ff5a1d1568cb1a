from dui.soins import views_dossier, views_plan, views_tournee, views_traitements
from dui.soins.views import app_name, urlpatterns

urlpatterns = [
    *urlpatterns,
    *views_dossier.urlpatterns,
    *views_traitements.urlpatterns,
    *views_tournee.urlpatterns,
    *views_plan.urlpatterns,
]

__all__ = ["app_name", "urlpatterns"]
