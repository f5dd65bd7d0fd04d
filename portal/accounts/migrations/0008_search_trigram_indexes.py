"""Messages are searched by their recipient's enterprise name and code: GIN trigram indexes on
the accounts' UPPER(org_name) and UPPER(uscc) (PostgreSQL only)."""

from django.db import migrations

from common.changelists import trigram_indexes

forwards, backwards = trigram_indexes(
    ("user_org_name_trgm", "accounts_user", "org_name"),
    ("user_uscc_trgm", "accounts_user", "uscc"),
)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_password_policy_and_action_codes")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
