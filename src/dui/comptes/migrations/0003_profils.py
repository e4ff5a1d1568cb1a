from django.db import migrations


def install(apps, schema_editor):
    from dui.comptes.roles import install_profiles

    install_profiles(apps.get_model("comptes", "Role"), apps.get_model("comptes", "Habilitation"))


class Migration(migrations.Migration):
    dependencies = [("comptes", "0002_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
