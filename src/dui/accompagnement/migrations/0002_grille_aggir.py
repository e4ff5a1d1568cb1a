"""The built-in AGGIR grid: 10 discriminant variables (with their sub-variables) and the 7
illustrative ones, each item answered with the four adverbs S, T, C, H."""

from django.db import migrations

from dui.accompagnement import aggir


def create_aggir(apps, schema_editor):
    Grille = apps.get_model("accompagnement", "Grille")
    GrilleItem = apps.get_model("accompagnement", "GrilleItem")
    grille, _ = Grille.objects.update_or_create(
        code="aggir",
        defaults={
            "libelle": "AGGIR (autonomie gérontologique, groupes iso-ressources)",
            "version": "2008",
            "type": "integree",
            "categorie": "soins",
            "calcul": "aggir",
            "actif": True,
        },
    )
    for ordre, item in enumerate(aggir.items(), start=1):
        GrilleItem.objects.update_or_create(
            grille=grille,
            code=item["code"],
            defaults={**item, "ordre": ordre, "echelle": {"type": "adverbes"}},
        )


def remove_aggir(apps, schema_editor):
    apps.get_model("accompagnement", "Grille").objects.filter(code="aggir").delete()


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0001_initial")]

    operations = [migrations.RunPython(create_aggir, remove_aggir)]
