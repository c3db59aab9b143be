"""Questions get `created_at` / `updated_at` like every edited record: the draft's edit form
carries `updated_at` as its version (optimistic locking). Existing rows are stamped now."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accompaniment", "0002_interaction_company_summary")]

    operations = [
        migrations.AddField(
            model_name="question",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="créé le"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="question",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="modifié le"),
        ),
    ]
