"""The two roles: editors annotate and review, viewers read. Admins are staff."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from annotations.roles import EDITORS, VIEWERS, group_codenames


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

    for name in (EDITORS, VIEWERS):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms(group_codenames(name)))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["viewers", "editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
