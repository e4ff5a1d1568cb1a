"""Administration of accounts, professional profiles, assignments and habilitations. (stub)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")
