from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="heading",
            field=models.CharField(blank=True, max_length=500, verbose_name="heading"),
        ),
        migrations.AddField(
            model_name="card",
            name="note_title",
            field=models.CharField(blank=True, max_length=200, verbose_name="note title"),
        ),
    ]
