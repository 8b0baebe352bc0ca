"""The Physician reviewer role (docs/domain.md §10), and who may see appeals."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_VIEW_POLICIES = [
    ("policies", f"view_{m}")
    for m in ("policy", "product", "productndc", "quantitylimit", "criterion", "criteriongrant")
]
_VIEW_REVIEW = [
    ("priorauth", f"view_{m}")
    for m in (
        "member",
        "prescriber",
        "prescription",
        "claim",
        "overriderequest",
        "decision",
        "override",
        "overrideallowance",
        "appeal",
        "appealdecision",
    )
]
_VIEW_APPEALS = [("priorauth", "view_appeal"), ("priorauth", "view_appealdecision")]

# Frozen as written: later changes to the roles belong in new migrations.
NEW_GROUP = {"Physician reviewer": _VIEW_POLICIES + _VIEW_REVIEW}
ADDED = {"Clinical pharmacist": _VIEW_APPEALS, "Auditor": _VIEW_APPEALS}


def _permission(Permission, app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def add_role(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in {**NEW_GROUP, **ADDED}.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(_permission(Permission, *pair) for pair in codenames))


def remove_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=list(NEW_GROUP)).delete()
    for role, codenames in ADDED.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*(_permission(Permission, *pair) for pair in codenames))


class Migration(migrations.Migration):
    dependencies = [("priorauth", "0006_appeals")]

    operations = [migrations.RunPython(add_role, remove_role)]
