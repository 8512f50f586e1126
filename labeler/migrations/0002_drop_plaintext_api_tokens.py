"""API tokens moved to django-rest-knox (hashed at rest): the plain-text keys of DRF's authtoken
table are dropped, not left readable in the database and its backups."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("labeler", "0001_initial")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
