"""The two roles: editors annotate and review, viewers read. Admins are staff."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANNOTATION_MODELS = ["quote", "endorsement", "entity", "tag"]
READ_MODELS = ["article", "quote", "endorsement", "entity", "tag", "suggestionrun"]


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(codenames):
        return Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)

    viewers, _ = Group.objects.get_or_create(name="viewers")
    viewers.permissions.set(perms([f"view_{m}" for m in READ_MODELS]))
    editors, _ = Group.objects.get_or_create(name="editors")
    editors.permissions.set(
        perms(
            [f"view_{m}" for m in READ_MODELS]
            + [f"{action}_{m}" for m in ANNOTATION_MODELS for action in ("add", "change", "delete")]
            + ["change_article"]
        )
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["viewers", "editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
