"""Failed sign-ins are no longer recorded in the database (they are short-lived, hashed counts
in the cache now): drop the tables the earlier throttling library kept them in, with the
usernames, addresses and browsers they held."""

from django.db import migrations

TABLES = [
    "axes_accessattemptexpiration",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
]


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_quiz_versions")]

    operations = [
        migrations.RunSQL(
            [f"DROP TABLE IF EXISTS {table}" for table in TABLES],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
