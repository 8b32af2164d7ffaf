"""Model building blocks shared by the domain apps."""

from __future__ import annotations

from django.db import models

from rostra.core.ids import make_id


class SnowflakeModel(models.Model):
    """A model whose primary key is a time-sortable 64-bit id (see core.ids).

    ``id_time_field`` names the datetime field the id is built from, so an
    object created with an explicit date (an import) gets an id of that date.
    """

    id = models.BigIntegerField(primary_key=True, editable=False)
    id_time_field = "created_at"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.id is None:
            self.id = make_id(getattr(self, self.id_time_field, None))
            kwargs["force_insert"] = True
        super().save(*args, **kwargs)
