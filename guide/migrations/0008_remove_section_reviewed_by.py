from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("guide", "0007_reviewers_from_text"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historicalsection",
            name="reviewed_by",
        ),
        migrations.RemoveField(
            model_name="section",
            name="reviewed_by",
        ),
    ]
