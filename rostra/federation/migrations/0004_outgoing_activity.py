"""Store each outgoing activity once (``OutgoingActivity``) instead of in every
``Delivery`` row: existing rows are grouped by their activity id."""

import json

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def group_deliveries(apps, schema_editor):
    Delivery = apps.get_model("federation", "Delivery")
    OutgoingActivity = apps.get_model("federation", "OutgoingActivity")
    seen: dict[str, int] = {}
    for row in Delivery.objects.order_by("pk").iterator():
        if row.old_activity_uri not in seen:
            try:
                kind = str(json.loads(row.old_payload).get("type", ""))[:32]
            except (ValueError, AttributeError):
                kind = ""
            seen[row.old_activity_uri] = OutgoingActivity.objects.create(
                uri=row.old_activity_uri, type=kind, payload=row.old_payload,
                signer_id=row.old_signer_id, created_at=row.created_at).pk
        Delivery.objects.filter(pk=row.pk).update(activity_id=seen[row.old_activity_uri])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_endorsement"),
        ("federation", "0003_remote_reports"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutgoingActivity",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("uri", models.CharField(max_length=2048, unique=True)),
                ("type", models.CharField(blank=True, default="", max_length=32)),
                ("payload", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("signer", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                    related_name="+", to="accounts.account")),
            ],
            options={"indexes": [models.Index(fields=["signer", "type"],
                                              name="federation__signer__ad7085_idx")]},
        ),
        migrations.RemoveConstraint(model_name="delivery", name="delivery_unique"),
        migrations.RenameField(model_name="delivery", old_name="activity_id",
                               new_name="old_activity_uri"),
        migrations.RenameField(model_name="delivery", old_name="payload",
                               new_name="old_payload"),
        migrations.RenameField(model_name="delivery", old_name="signer",
                               new_name="old_signer"),
        migrations.AddField(
            model_name="delivery", name="activity",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="deliveries",
                                    to="federation.outgoingactivity"),
        ),
        migrations.RunPython(group_deliveries, migrations.RunPython.noop),
        migrations.RemoveField(model_name="delivery", name="old_activity_uri"),
        migrations.RemoveField(model_name="delivery", name="old_payload"),
        migrations.RemoveField(model_name="delivery", name="old_signer"),
        migrations.AlterField(
            model_name="delivery", name="activity",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="deliveries",
                                    to="federation.outgoingactivity"),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(fields=("activity", "inbox_url"),
                                               name="delivery_unique"),
        ),
    ]
