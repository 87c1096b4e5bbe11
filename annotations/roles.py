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


def remember_editor(user, flag: bool) -> None:
    """Record the role when it was loaded with the user, so is_editor needs no query."""
    user._newsdesk_is_editor = flag


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))

# What each group may do, by model; the migration that creates the groups uses the same lists.
ANNOTATION_MODELS = ["quote", "endorsement", "entity", "tag"]
READ_MODELS = ["article", "quote", "endorsement", "entity", "tag", "suggestionrun"]


def group_codenames(group: str) -> list[str]:
    read = [f"view_{m}" for m in READ_MODELS]
    if group == VIEWERS:
        return read
    return read + [f"{a}_{m}" for m in ANNOTATION_MODELS for a in ("add", "change", "delete")] + ["change_article"]


def groups_ensure() -> None:
    """Create the two groups with their permissions if they are missing (e.g. after a flush)."""
    from django.contrib.auth.models import Group, Permission

    for name in (EDITORS, VIEWERS):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="annotations",
                                                        codename__in=group_codenames(name)))
