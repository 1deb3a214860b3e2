from .notifications import unread_count


def notifications(request):
    """The unread count of the bell in the navigation bar (one COUNT per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
