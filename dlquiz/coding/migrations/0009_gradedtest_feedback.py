from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0008_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="gradedtest",
            name="message_data",
            field=models.JSONField(
                blank=True, default=None, null=True, verbose_name="message code and parameters"
            ),
        ),
        migrations.AddField(
            model_name="gradedtest",
            name="warnings",
            field=models.JSONField(blank=True, default=list, verbose_name="warnings"),
        ),
        migrations.AddField(
            model_name="gradedtest",
            name="arrays",
            field=models.JSONField(blank=True, default=list, verbose_name="arrays"),
        ),
    ]
