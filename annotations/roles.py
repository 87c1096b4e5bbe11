"""Who may do what: editors annotate and review, viewers read accepted work, staff administer."""

EDITORS = "editors"
VIEWERS = "viewers"


def _in_group(user, name: str) -> bool:
    attr = f"_newsdesk_in_{name}"
    cached = getattr(user, attr, None)
    if cached is None:
        cached = user.groups.filter(name=name).exists()
        setattr(user, attr, cached)
    return cached


def is_editor(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or _in_group(user, EDITORS)


def can_read(user) -> bool:
    """Editors, viewers and staff read; an account with no role yet reads nothing."""
    return is_editor(user) or bool(user and user.is_authenticated and _in_group(user, VIEWERS))


def remember_roles(user, *, editor: bool, viewer: bool) -> None:
    """Record the roles when they were loaded with the user, so the checks need no query."""
    setattr(user, f"_newsdesk_in_{EDITORS}", editor)
    setattr(user, f"_newsdesk_in_{VIEWERS}", viewer)


def may_write_articles(user, action: str) -> bool:
    """Article writes (add, change, delete) are for staff with Django's model permission, as
    on the admin's own pages: superusers have it, other staff only when an admin gave it.
    (Editors hold change_article for marking articles done, not for editing them.)"""
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser)
                and user.has_perm(f"annotations.{action}_article"))

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
