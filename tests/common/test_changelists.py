"""The officials' change lists at scale: the capped count on its edge, and the search that asks
each field on its own (every word must match one field, as in Django's admin)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from common.changelists import CappedPaginator
from declarations.models import Declaration
from enterprises.models import Enterprise
from messaging.models import Message

from ..conftest import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(db) -> None:
    call_command("generate_load_data", "--enterprises", "6", "--declarations", "12",
                 "--messages", "30", "--regions", "440106", "--seed", "5", stdout=StringIO())


@pytest.fixture
def ministry_client(db) -> Client:
    client = Client()
    client.force_login(official("o_ministry", "ministry"))
    return client


@pytest.mark.parametrize("rows, count, capped", [(2, 2, False), (3, 3, False), (4, 3, True)])
def test_the_count_stops_at_the_cap(data, rows, count, capped):
    keys = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:rows])
    paginator = CappedPaginator(Enterprise.objects.filter(pk__in=keys).order_by("pk"), 2)
    paginator.cap = 3
    assert paginator.count == count
    assert paginator.capped is capped
    assert paginator.num_pages == (count + 1) // 2
    assert len(paginator.page(paginator.num_pages).object_list) == count - 2 * (paginator.num_pages - 1)


@pytest.mark.parametrize("cap, shown", [(6, "6 企业"), (5, "5+ 企业")])
def test_the_list_says_plus_beyond_the_cap(data, ministry_client, monkeypatch, cap, shown):
    from portal.accounts.scoping import RegionScopedAdminMixin

    monkeypatch.setattr(CappedPaginator, "cap", cap)
    # Two rows a page: the first page's count reaches the cap before it reaches page 2's end.
    monkeypatch.setattr(RegionScopedAdminMixin, "list_per_page", 2, raising=False)
    page = ministry_client.get("/admin/enterprises/enterprise/").content.decode()
    assert shown in page
    assert ("只计数至此" in page) is (cap == 5)


def test_every_page_stays_reachable_past_the_cap(data, ministry_client, monkeypatch):
    # 6 enterprises, 2 per page, a cap of 2: page 1 counts to 4 (2+, a next page), page 2 to 6,
    # page 3 is the last and shows the rows no capped count reached.
    from portal.accounts.scoping import RegionScopedAdminMixin

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    monkeypatch.setattr(RegionScopedAdminMixin, "list_per_page", 2, raising=False)
    total = Enterprise.objects.count()
    seen = []
    for page in (1, 2, 3):
        response = ministry_client.get(f"/admin/enterprises/enterprise/?p={page}")
        assert response.status_code == 200
        cl = response.context["cl"]
        seen += [row.pk for row in cl.result_list]
        assert cl.paginator.num_pages >= min(page + 1, (total + 1) // 2)
    assert sorted(seen) == sorted(Enterprise.objects.values_list("pk", flat=True))


def results(client: Client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_every_word_must_match_one_field(data, ministry_client):
    e = Enterprise.objects.order_by("pk").first()
    url = "/admin/enterprises/enterprise/?q="
    assert e in results(ministry_client, url + e.name[2:6])
    assert results(ministry_client, url + e.uscc) == [e]
    assert results(ministry_client, url + e.uscc.lower()) == [e]  # icontains, as before
    assert results(ministry_client, f"{url}{e.name[:4]} {e.uscc}") == [e]  # name AND code
    assert results(ministry_client, f"{url}{e.uscc} 不存在的词") == []
    assert results(ministry_client, f'{url}"{e.name}"') == [e]  # a quoted phrase is one word


def test_declarations_titles_and_messages_are_found_by_the_enterprise(data, ministry_client):
    declaration = Declaration.objects.exclude(status="draft").select_related("enterprise").first()
    e = declaration.enterprise
    found = results(ministry_client, f"/admin/declarations/declaration/?queue=all&q={e.uscc}")
    assert declaration in found and {d.enterprise_id for d in found} == {e.pk}
    by_number = results(ministry_client,
                        f"/admin/declarations/declaration/?queue=all&q={declaration.number}")
    assert by_number == [declaration]
    message = Message.objects.select_related("recipient").first()
    found = results(ministry_client, f"/admin/messaging/message/?q={message.recipient.uscc}")
    assert message in found and {m.recipient_id for m in found} == {message.recipient_id}
    # Titles are no longer searched by message title (the 类别 filter finds those).
    assert results(ministry_client, f"/admin/messaging/message/?q={message.title[:6]}") == []


def test_search_stays_inside_the_officials_scope(data):
    e = Enterprise.objects.order_by("pk").first()
    for level, code, found in [("county", "440106", True), ("county", "440104", False),
                               ("province", "320000", False)]:
        client = Client()
        client.force_login(official(f"o_{level}_{code}", level, code))
        assert (results(client, f"/admin/enterprises/enterprise/?q={e.uscc}") == [e]) is found
        assert bool(results(client, f"/admin/declarations/declaration/?queue=all&q={e.uscc}")) is (
            found and e.declarations.exclude(status="draft").exists())


@pytest.mark.parametrize("name", ["广州天河科技有限公司", 'A&B <"公司">'])
def test_the_selection_box_is_djangos_markup(name):
    """Drawn in Python, the row's box is the markup Django's template draws, escaped once."""
    from django.contrib.admin import ModelAdmin, site
    from django.utils import translation

    from common.changelists import action_checkbox

    enterprise = Enterprise.objects.create(uscc="91440106MA59ABCDE6", name=name)
    django_admin = ModelAdmin(Enterprise, site)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert action_checkbox(enterprise) == django_admin.action_checkbox(enterprise)
    assert "&lt;&quot;" in action_checkbox(enterprise) or "<" not in name


def test_the_officials_lists_draw_it(ministry_client, data):
    from common.changelists import action_checkbox

    body = ministry_client.get("/admin/declarations/declaration/?queue=all").content.decode()
    shown = Declaration.objects.exclude(status="draft").order_by("submitted_at", "id")[:3]
    assert shown and all(str(action_checkbox(d)) in body for d in shown)
