"""Messages are searched by their recipient's enterprise name and code: GIN trigram indexes on
the accounts' UPPER(org_name) and UPPER(uscc) (PostgreSQL only)."""

from django.db import migrations

from common.changelists import trigram_indexes

forwards, backwards = trigram_indexes(
    ("user_org_name_trgm", "accounts_user", "org_name"),
    ("user_uscc_trgm", "accounts_user", "uscc"),
)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_merge_0004_historicaluser_0005_letter_sha256")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
