"""Break-glass: opening a record outside one's scope with a reason. (stub)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("TODO")


@login_required
def open_access(request: HttpRequest, usager_id: int) -> HttpResponse:
    return HttpResponse("TODO")
