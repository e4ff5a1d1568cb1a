"""Built-in data grids: Braden (pressure-ulcer risk), Morse (fall risk) and the SERAFIN-PH
needs; AGGIR gets its famille."""

from django.db import migrations

from dui.accompagnement import grilles_data


def install(apps, schema_editor):
    Grille = apps.get_model("accompagnement", "Grille")
    Grille.objects.filter(code="aggir").update(famille="aggir")
    grilles_data.install(Grille, apps.get_model("accompagnement", "GrilleItem"))


def remove(apps, schema_editor):
    codes = [g["code"] for g in grilles_data.GRILLES]
    apps.get_model("accompagnement", "Grille").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0005_grilles_versions")]

    operations = [migrations.RunPython(install, remove)]
