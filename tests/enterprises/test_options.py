"""/enterprise/options/<tree>/: the children and the search behind the 所属行业 and 注册地 pickers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

INDUSTRIES = "/enterprise/options/industries/"
REGIONS = "/enterprise/options/regions/"


def results(client, url, **params) -> list[dict]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def codes(nodes: list[dict]) -> list[str]:
    return [n["code"] for n in nodes]


def tree_queries(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read the reference trees (not the session or the user)."""
    return [q["sql"] for q in queries.captured_queries
            if "enterprises_industry" in q["sql"] or "regions_region" in q["sql"]]


@pytest.fixture
def logged_in(client, ent_tianhe):
    client.force_login(ent_tianhe)
    return client


def test_the_top_level_of_industries_is_the_twenty_sections(logged_in):
    nodes = results(logged_in, INDUSTRIES)
    assert codes(nodes) == list("ABCDEFGHIJKLMNOPQRST")
    assert nodes[2] == {"code": "C", "label": "C 制造业", "text": "C 制造业", "leaf": False,
                        "selectable": False, "path": ["C"]}


def test_a_parent_gives_its_children_down_to_the_classes(logged_in):
    divisions = results(logged_in, INDUSTRIES, parent="C")
    assert codes(divisions)[0] == "13" and "33" in codes(divisions) and len(divisions) == 31
    assert all(n["selectable"] and not n["leaf"] for n in divisions)
    classes = results(logged_in, INDUSTRIES, parent="331")
    assert {"code": "3311", "label": "3311 金属结构制造", "text": "3311 金属结构制造", "leaf": True,
            "selectable": True, "path": ["C", "33", "331", "3311"]} in classes


def test_an_unknown_or_malformed_parent_has_no_children(logged_in):
    for parent in ["9999", "C'--", "x" * 500, "３３"]:
        assert results(logged_in, INDUSTRIES, parent=parent) == []


def test_the_search_finds_by_name_or_code_prefix_with_each_path(logged_in):
    found = results(logged_in, INDUSTRIES, q="金属结构")
    assert codes(found) == ["3311"] and found[0]["path"] == ["C", "33", "331", "3311"]
    assert codes(results(logged_in, INDUSTRIES, q="331")) == ["331", "3311", "3312"]
    assert codes(results(logged_in, INDUSTRIES, q="c")) == []  # sections are not selectable


def test_the_search_is_limited_to_fifty(logged_in):
    assert len(results(logged_in, INDUSTRIES, q="制造")) == 50


def test_every_word_typed_must_match(logged_in):
    found = results(logged_in, REGIONS, q="广州 天河")
    assert codes(found) == ["440106"]
    assert found[0]["text"] == "广东省 广州市 天河区" and found[0]["path"] == ["440000", "440100", "440106"]


def test_regions_search_only_registrable_places(logged_in):
    found = results(logged_in, REGIONS, q="东莞")
    assert codes(found) == ["441900"]  # a city without counties
    assert "440100" not in codes(results(logged_in, REGIONS, q="广州"))  # a city with counties


def test_regions_go_from_provinces_to_counties(logged_in):
    provinces = results(logged_in, REGIONS)
    assert len(provinces) == 31 and provinces[0]["label"] == "北京市"
    cities = results(logged_in, REGIONS, parent="440000")
    dongguan = next(n for n in cities if n["code"] == "441900")
    assert dongguan["leaf"] and dongguan["selectable"]
    counties = results(logged_in, REGIONS, parent="440100")
    tianhe = next(n for n in counties if n["code"] == "440106")
    assert tianhe == {"code": "440106", "label": "天河区", "text": "广东省 广州市 天河区",
                      "leaf": True, "selectable": True, "path": ["440000", "440100", "440106"]}


def test_a_child_list_costs_one_query_then_none(logged_in):
    with CaptureQueriesContext(connection) as cold:
        results(logged_in, INDUSTRIES, parent="33")
    with CaptureQueriesContext(connection) as warm:
        results(logged_in, INDUSTRIES, parent="33")
    assert len(tree_queries(cold)) == 1 and tree_queries(warm) == []
    assert len(warm) == len(cold) - 1


def test_a_search_costs_one_query_then_none(logged_in, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as cold:
        results(logged_in, REGIONS, q="天河")
    with CaptureQueriesContext(connection) as warm:
        results(logged_in, REGIONS, q="天河")
    assert len(tree_queries(cold)) == 1 and tree_queries(warm) == []
    with django_assert_max_num_queries(len(cold)):
        results(logged_in, INDUSTRIES, q="制造")  # fifty results, still one query for the tree


def test_answers_are_cacheable_by_the_browser_and_revalidated(logged_in):
    response = logged_in.get(INDUSTRIES, {"parent": "C"})
    assert "private" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    etag = response["ETag"]
    assert logged_in.get(INDUSTRIES, {"parent": "C"}, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_unknown_tree_is_404(logged_in):
    assert logged_in.get("/enterprise/options/enterprises/").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, db):
    for url in [INDUSTRIES, REGIONS]:
        response = client.get(url, {"q": "天河"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_natural_persons_and_officials_are_refused(client, person, tianhe_county, gd_province):
    for user in [person, tianhe_county, gd_province]:
        client.force_login(user)
        for url in [INDUSTRIES, REGIONS]:
            response = client.get(url, {"parent": "440000"})
            assert response.status_code == 403
            assert "results" not in response.content.decode()


def test_only_get_is_answered(logged_in):
    assert logged_in.post(INDUSTRIES).status_code == 405
