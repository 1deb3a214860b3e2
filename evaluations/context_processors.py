from .notifications import unread_count


def notifications(request):
    """The unread count of the bell in the navigation bar, counted once per request (a
    page that renders parts of itself with the request, such as its tables, runs the
    context processors again)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_count(user)
    return {"unread_notifications": request._unread_notifications}
