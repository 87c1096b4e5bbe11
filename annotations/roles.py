"""Who may do what: editors annotate and review, viewers read accepted work, staff administer."""

EDITORS = "editors"
VIEWERS = "viewers"


def is_editor(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    cached = getattr(user, "_newsdesk_is_editor", None)
    if cached is None:
        cached = user.groups.filter(name=EDITORS).exists()
        user._newsdesk_is_editor = cached
    return cached


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))
