"""Model fields for personal data at rest (common/crypto.py says how and why).

`EncryptedCharField` reads and writes clear text in Python and stores AES-GCM ciphertext; it
refuses every lookup but `isnull` (a ciphertext never equals anything), so a query that would
silently find nothing fails loudly instead. `BlindIndexField` is the keyed hash of another
field, computed when the row is saved, for uniqueness and lookups.

Written here rather than taken from a library: the maintained one (django-fernet-encrypted-
fields) derives its keys from SECRET_KEY, uses Fernet (AES-128-CBC + HMAC) rather than
AES-GCM, and has no keyed-hash column; the searchable one (django-searchable-encrypted-fields)
has had no release since 2022 and brings pycryptodome beside `cryptography`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import checks
from django.db import models

from . import crypto


class EncryptedCharField(models.TextField):
    """Clear text of at most `max_length` characters in Python, ciphertext in the column."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The clear text's length (forms, validation); the column itself is text.
        self.max_length = max_length

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique:
            errors.append(checks.Error(
                "加密字段不能直接设为唯一；请为其加 BlindIndexField(unique=True)。",
                obj=self, id="common.E101"))
        return errors

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        if self.max_length is not None:
            kwargs["max_length"] = self.max_length
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        """Associated data: the column's identity, so a value moved elsewhere fails to open."""
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.context)

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = self.to_python(value)
        if value is None or value == "" or crypto.is_encrypted(value):
            return value
        return crypto.encrypt(value, context=self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None  # FieldError: query the BlindIndexField instead
        return super().get_lookup(lookup_name)

    def get_transform(self, name: str) -> Any:
        return None

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super(models.TextField, self).formfield(**{
            "form_class": forms.CharField, "max_length": self.max_length, **kwargs})


class BlindIndexField(models.CharField):
    """HMAC-SHA256 (hex) of the field named `source`, set on every save of the row.

    The value is derived, never typed: saving with `update_fields` must name this field
    whenever it names the source (the services do)."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("null", True),
                             ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = crypto.blind_index(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def reseal_rows(model: type[models.Model], *, batch_size: int = 500) -> int:
    """Rewrite every encrypted value of `model` under the first key (clear text left from
    before encryption included) and recompute its keyed hashes. Returns the rows rewritten.

    Each batch is read `FOR UPDATE` inside its own transaction, so a row changed meanwhile is
    not overwritten with a stale value. Used by the migration that introduced encryption and
    by `manage.py rotate_field_keys`."""
    from django.db import transaction

    encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
    hashes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    if not encrypted:
        return 0
    done, last_pk = 0, None
    while True:
        with transaction.atomic():
            rows = model._default_manager.select_for_update().order_by("pk").only(
                "pk", *encrypted)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows[:batch_size])
            if not batch:
                return done
            for row in batch:
                for field in hashes:
                    setattr(row, field.attname, crypto.blind_index(getattr(row, field.source)))
            model._default_manager.bulk_update(
                batch, [*encrypted, *(f.name for f in hashes)])
        done += len(batch)
        last_pk = batch[-1].pk
