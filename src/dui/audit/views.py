"""The DPO's screens on the journal. (stub)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def journal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")
