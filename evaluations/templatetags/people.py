from django import template

register = template.Library()


@register.filter
def person(user):
    """A user's full name, else username; "—" when there is no user (rows written by
    commands or imports carry none)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
