"""/akun/token/: the signed-in account's API token. GET says whether one exists; POST
creates one (shown on that answer only) or revokes it. Only the account's own token:
the URL names nothing else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .services import api_tokens


@never_cache
@login_required
def api_token(request):
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = api_tokens.create_token(request.user)
        elif action == "revoke":
            if api_tokens.revoke_token(request.user):
                messages.success(request, _("The token is revoked: it no longer works."))
            return redirect("api_token")
        else:
            messages.error(request, _("Unknown action: nothing changed."))
            return redirect("api_token")
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "opd/api_token.html",
        {"token": api_tokens.token_of(request.user), "new_key": new_key},
    )
