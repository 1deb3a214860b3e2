"""Who may call the API: any signed-in account (a token or the browser's session), for
reading only unless a view allows writes; what each request then returns is decided by
the tenancy chokepoint, like on the pages."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnly(BasePermission):
    """The default: signed in, and GET/HEAD/OPTIONS only."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and request.method in SAFE_METHODS)


class SignedIn(BasePermission):
    """For the views that write: signed in; the service decides the rest."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)
