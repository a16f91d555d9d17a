from django.db import migrations


def forwards(apps, schema_editor):
    from kkot.catalog.seed import seed_catalog

    seed_catalog(apps.get_model("catalog", "AttributeDefinition"), apps.get_model("catalog", "Category"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
