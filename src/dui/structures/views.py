"""Administration of organismes gestionnaires, établissements and units. (stub)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def structure_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")
