from django.db import migrations


def install(apps, schema_editor):
    from evaluations.services.instruments import install_shipped_instruments

    install_shipped_instruments(apps)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
