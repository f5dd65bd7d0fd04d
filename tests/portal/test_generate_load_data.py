"""manage.py generate_load_data: counts, spread, valid codes, refusals, and a site that works on
the generated data (small sizes, bulk_create on SQLite / COPY on PostgreSQL)."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from declarations.models import Declaration
from enterprises.models import Enterprise, Recognition, RecognitionTerm
from messaging.models import Message
from portal.accounts.validators import is_valid_uscc
from portal.loaddata import SQLITE_LIMITS

from ..conftest import official

pytestmark = pytest.mark.django_db

User = get_user_model()


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_load_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def generated(db) -> str:
    return generate("--enterprises", "200", "--declarations", "600", "--messages", "2000",
                    "--seed", "7", "--batch", "70")


def test_it_writes_the_asked_counts_and_prints_timings(generated):
    assert Enterprise.objects.count() == 200
    assert User.objects.filter(kind="enterprise").count() == 200
    assert Declaration.objects.count() == 600
    assert Message.objects.count() == 2000
    assert "企业 200 家" in generated and "秒" in generated
    assert "已生成：" in generated


def test_every_enterprise_has_its_own_account_in_its_region_with_a_valid_code(generated):
    for e in Enterprise.objects.select_related("account"):
        assert is_valid_uscc(e.uscc)
        assert e.uscc[2:8] == e.region.code
        assert e.account.uscc == e.uscc and e.account.kind == "enterprise"
        assert e.account.region_id == e.region_id
        assert not e.account.has_usable_password()
        assert e.account.mobile == "" and e.account.id_number is None
        assert e.region.registrable and e.industry.level == "小类"


def test_the_spread_covers_provinces_sections_tiers_years_and_statuses(generated):
    provinces = Counter(e.region.code[:2] for e in Enterprise.objects.select_related("region"))
    assert len(provinces) >= 15
    assert provinces.most_common(1)[0][0] in {"44", "32", "33", "37"}  # the weighted east coast
    sections = Counter(Enterprise.objects.values_list("industry__section", flat=True))
    assert sections.most_common(1)[0][0] == "C"
    assert len(sections) >= 5

    tiers = Counter(Recognition.objects.values_list("tier", flat=True))
    assert 0.45 * 200 <= tiers["innovative"] <= 0.75 * 200
    assert 0.06 * 200 <= tiers["specialized"] <= 0.22 * 200
    assert tiers["giant"] <= 0.06 * 200
    # Nested: every 小巨人 is also 专精特新, every 专精特新 also 创新型.
    by_enterprise: dict[int, set[str]] = {}
    for ent, tier in Recognition.objects.values_list("enterprise_id", "tier"):
        by_enterprise.setdefault(ent, set()).add(tier)
    for held in by_enterprise.values():
        assert "giant" not in held or "specialized" in held
        assert "specialized" not in held or "innovative" in held
    years = {r.valid_from.year for r in Recognition.objects.all()}
    assert years == {2022, 2023, 2024, 2025, 2026}
    assert RecognitionTerm.objects.count() == Recognition.objects.count()
    certificates = list(Recognition.objects.values_list("certificate_no", flat=True))
    assert len(set(certificates)) == len(certificates)
    assert all(re.fullmatch(r"20\d\d\d{6}[CZJ]\d{6}", c) for c in certificates)

    statuses = set(Declaration.objects.values_list("status", flat=True))
    assert {"draft", "at_county", "at_city", "at_province", "returned", "recommended",
            "publicized", "recognised", "not_recommended", "not_recognised"} <= statuses
    assert {d.window.starts_at.year for d in Declaration.objects.select_related("window")} == {
        2022, 2023, 2024, 2025, 2026}
    for d in Declaration.objects.all():
        assert (d.submitted_at is None) == (d.status == "draft")
        assert d.declaration_region_id == d.enterprise.region.declaration_region_id
        assert d.status != "at_ministry" or d.tier == "giant"
        assert d.status != "returned" or d.returned_level in ("county", "city", "province")

    categories = set(Message.objects.values_list("category", flat=True))
    assert categories == {"declaration", "info_update", "expiry", "recognition", "revocation"}
    assert set(Message.objects.values_list("recipient__kind", flat=True)) == {"enterprise"}


def test_the_same_seed_gives_the_same_data(db):
    generate("--enterprises", "20", "--declarations", "40", "--messages", "50", "--seed", "3")
    first = list(Enterprise.objects.order_by("pk").values_list("name", "uscc", "region_id"))
    Message.objects.all().delete()
    Declaration.objects.all().delete()
    RecognitionTerm.objects.all().delete()
    Recognition.objects.all().delete()
    Enterprise.objects.all().delete()
    generate("--enterprises", "20", "--declarations", "40", "--messages", "50", "--seed", "3")
    again = list(Enterprise.objects.order_by("pk").values_list("name", "uscc", "region_id"))
    assert [r[0] for r in again] == [r[0] for r in first]
    assert [r[2] for r in again] == [r[2] for r in first]


def test_a_non_empty_database_is_refused_without_append(generated):
    with pytest.raises(CommandError, match="--append"):
        generate("--enterprises", "5", "--declarations", "0", "--messages", "0")
    assert Enterprise.objects.count() == 200


def test_append_adds_rows_with_fresh_keys(generated):
    generate("--enterprises", "10", "--declarations", "20", "--messages", "30", "--append",
             "--seed", "8")
    assert Enterprise.objects.count() == 210
    assert Declaration.objects.count() == 620
    assert Message.objects.count() == 2030
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("args, message", [
    (["--batch", "0"], "--batch 至少为 1"),
    (["--regions", "440000"], "区县级代码"),
])
def test_bad_options_are_refused(db, args, message):
    with pytest.raises(CommandError, match=message):
        generate("--enterprises", "3", "--declarations", "0", "--messages", "0", *args)
    assert not Enterprise.objects.exists()


def test_regions_limits_the_counties(db):
    generate("--enterprises", "30", "--declarations", "0", "--messages", "0",
             "--regions", "440106,320102")
    assert set(Enterprise.objects.values_list("region__code", flat=True)) <= {"440106", "320102"}


@pytest.mark.parametrize("sizes, message", [
    ("-1 0 0", "不能为负数"),
    ("2 30 0", None),  # 15 per enterprise: the edge, accepted
    ("2 31 0", "15 倍"),
    ("0 0 1", "需要 --enterprises"),
])
def test_impossible_sizes_are_refused_and_write_nothing(db, sizes, message):
    enterprises, declarations, messages = sizes.split()
    args = ["--enterprises", enterprises, "--declarations", declarations, "--messages", messages]
    if message is None:
        generate(*args)
        assert Declaration.objects.count() == int(declarations)
        return
    with pytest.raises(CommandError, match=message):
        generate(*args)
    assert not Enterprise.objects.exists() and not User.objects.filter(kind="enterprise").exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite size limit")
def test_sqlite_refuses_national_sizes_with_a_clear_message(db):
    with pytest.raises(CommandError, match="PostgreSQL"):
        generate("--enterprises", str(SQLITE_LIMITS["enterprises"] + 1), "--declarations", "0",
                 "--messages", "0")
    assert not Enterprise.objects.exists()


def test_the_site_works_on_the_generated_data(generated):
    ministry = official("o_ministry", "ministry")
    client = Client()
    client.force_login(ministry)
    declaration = Declaration.objects.exclude(status="draft").first()
    title = Recognition.objects.first()
    enterprise = Enterprise.objects.first()
    message = Message.objects.first()
    for url in ["/admin/enterprises/enterprise/", f"/admin/enterprises/enterprise/{enterprise.pk}/change/",
                f"/admin/enterprises/enterprise/?q={enterprise.name[2:6]}",
                f"/admin/enterprises/enterprise/?q={enterprise.uscc}",
                "/admin/declarations/declaration/?queue=all",
                "/admin/declarations/declaration/?queue=all&section=C",
                f"/admin/declarations/declaration/{declaration.pk}/change/",
                "/admin/enterprises/recognition/", f"/admin/enterprises/recognition/{title.pk}/change/",
                "/admin/declarations/statistics/", "/admin/messaging/message/",
                f"/admin/messaging/message/{message.pk}/change/"]:
        assert client.get(url).status_code == 200, url
    search = client.get(f"/admin/enterprises/enterprise/?q={enterprise.uscc}")
    assert list(search.context["cl"].result_list) == [enterprise]

    owner = Client()
    owner.force_login(message.recipient)
    for url in ["/enterprise/", "/enterprise/profile/", "/enterprise/messages/",
                "/enterprise/declarations/", "/enterprise/rereviews/"]:
        assert owner.get(url).status_code == 200, url
    assert owner.get(f"/enterprise/messages/{message.pk}/").status_code in (200, 302)
