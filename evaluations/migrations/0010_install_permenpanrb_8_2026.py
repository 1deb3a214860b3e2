from django.db import migrations


def install(apps, schema_editor):
    # Its own migration: rows written in the schema migration's transaction would leave
    # PostgreSQL with pending trigger events when the deferred indexes are created.
    from evaluations.services.instruments import install_shipped_instruments

    install_shipped_instruments(apps, ["permenpanrb-8-2026"])


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0009_instrument_2026")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
