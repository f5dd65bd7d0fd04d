"""Search by part of a name or code at a million enterprises: GIN trigram indexes on
UPPER(name), UPPER(uscc) and the titles' UPPER(certificate_no) (PostgreSQL only)."""

from django.db import migrations

from common.changelists import trigram_indexes

forwards, backwards = trigram_indexes(
    ("enterprise_name_trgm", "enterprises_enterprise", "name"),
    ("enterprise_uscc_trgm", "enterprises_enterprise", "uscc"),
    ("recognition_certificate_trgm", "enterprises_recognition", "certificate_no"),
)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0014_officials_lists_at_scale")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
