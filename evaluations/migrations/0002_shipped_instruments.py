from django.db import migrations


def install(apps, schema_editor):
    from evaluations.services.instruments import FIRST_SHIPPED, install_shipped_instruments

    install_shipped_instruments(apps, FIRST_SHIPPED)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
