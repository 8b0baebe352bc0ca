"""Create the five role groups of docs/domain.md §5 with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


# Frozen copy of priorauth.roles.MODEL_PERMISSIONS as it was when this migration was written;
# later changes to the roles belong in new migrations.
MODEL_PERMISSIONS = {
    "Auditor": [
        ("policies", "view_policy"),
        ("policies", "view_product"),
        ("policies", "view_productndc"),
        ("policies", "view_quantitylimit"),
        ("policies", "view_criterion"),
        ("policies", "view_criteriongrant"),
        ("priorauth", "view_member"),
        ("priorauth", "view_prescriber"),
        ("priorauth", "view_prescription"),
        ("priorauth", "view_claim"),
        ("priorauth", "view_overriderequest"),
        ("priorauth", "view_decision"),
        ("priorauth", "view_override"),
        ("priorauth", "view_overrideallowance"),
        ("priorauth", "view_phiaccess"),
    ],
    "Claims system": [],
    "Clinical pharmacist": [
        ("policies", "view_policy"),
        ("policies", "view_product"),
        ("policies", "view_productndc"),
        ("policies", "view_quantitylimit"),
        ("policies", "view_criterion"),
        ("policies", "view_criteriongrant"),
        ("priorauth", "view_member"),
        ("priorauth", "view_prescriber"),
        ("priorauth", "view_prescription"),
        ("priorauth", "view_claim"),
        ("priorauth", "view_overriderequest"),
        ("priorauth", "view_decision"),
        ("priorauth", "view_override"),
        ("priorauth", "view_overrideallowance"),
    ],
    "Intake": [],
    "Policy admin": [
        ("policies", "view_policy"),
        ("policies", "add_policy"),
        ("policies", "change_policy"),
        ("policies", "delete_policy"),
        ("policies", "view_product"),
        ("policies", "add_product"),
        ("policies", "change_product"),
        ("policies", "delete_product"),
        ("policies", "view_productndc"),
        ("policies", "add_productndc"),
        ("policies", "change_productndc"),
        ("policies", "delete_productndc"),
        ("policies", "view_quantitylimit"),
        ("policies", "add_quantitylimit"),
        ("policies", "change_quantitylimit"),
        ("policies", "delete_quantitylimit"),
        ("policies", "view_criterion"),
        ("policies", "add_criterion"),
        ("policies", "change_criterion"),
        ("policies", "delete_criterion"),
        ("policies", "view_criteriongrant"),
        ("policies", "add_criteriongrant"),
        ("policies", "change_criteriongrant"),
        ("policies", "delete_criteriongrant"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in MODEL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(MODEL_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("priorauth", "0001_initial"),
        ("policies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
