"""Search the declarations by part of their number (PostgreSQL only; the enterprise's name
and code are searched through the enterprises' own trigram indexes)."""

from django.db import migrations

from common.changelists import trigram_indexes

forwards, backwards = trigram_indexes(
    ("declaration_number_trgm", "declarations_declaration", "number"),
)


class Migration(migrations.Migration):
    dependencies = [("declarations", "0013_officials_lists_at_scale")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
