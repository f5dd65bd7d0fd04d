"""The machinery of the access matrix (test_access_matrix.py): roles, outcomes, rules, requests.

A rule classifies one URL name for every role and both methods in a short spec, e.g.

    R("anon=login ent=ok/405 person=403 officials=403", "the enterprise's own list")

Each token is `who=GET/POST` (or `who=BOTH`). Outcomes: `login` (302 to the site's login),
`admin_login` (302 to the admin's login), `ok` (200), `moved` (302 elsewhere on the site:
the page sends on), `400`, `403`, `404`, `405`, `429`. Who:

* `anon`, `person` (自然人账户), `ent` (a 法人账户; for a URL naming an object, its owner),
  `ent_other` (a 法人账户 asking for the other party's object);
* `county`, `city`, `province`, `ministry` (officials of that level asking for an object in
  their own region, or for a URL without object), `officials` (all four levels at once);
  `nonstaff` (anon, person and ent), `everyone` (all of these);
  `county_other`, `city_other`, `province_other` (an official asking for the other region's
  object). The ministry's scope is the whole country: both parties' objects are its own.

Left out, `ent_other` and `<level>_other` are 404 where the owner or the official of the
region is let in (objects of others do not exist for them), and otherwise the same as the
owner's answer. Every other role must be given.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

LEVELS = ("county", "city", "province", "ministry")

# Every role the matrix asks as. X is 广东 (enterprise A in 广州天河), Y is 江苏 (enterprise B in
# 南京玄武); `anonymous` has no account.
ROLES = (
    "anonymous", "enterprise_a", "enterprise_b", "person",
    "county_x", "city_x", "province_x", "county_y", "city_y", "province_y", "ministry",
    # 三权分立 (issue 15): the 系统管理员 / 安全管理员 / 审计管理员 groups join here as roles
    # ("sysadmin", "secadmin", "auditor"): add each to World.users (access_world.build_world),
    # give it a column in COLUMNS below and a token in the rules (e.g. `auditor=403`).
)

# role → (the spec column that holds its expectation for its own party's object, the column
# for the other party's object)
COLUMNS: dict[str, tuple[str, str]] = {
    "anonymous": ("anon", "anon"),
    "person": ("person", "person"),
    "enterprise_a": ("ent", "ent_other"),
    "enterprise_b": ("ent", "ent_other"),
    "ministry": ("ministry", "ministry"),
    **{f"{level}_{side}": (level, f"{level}_other")
       for level in ("county", "city", "province") for side in ("x", "y")},
}

OUTCOMES = {"login", "admin_login", "ok", "moved", "400", "403", "404", "405", "429"}
LET_IN = {"ok", "moved"}
REFUSED = {"login", "admin_login", "403", "404", "405"}
GROUPS = {"officials": LEVELS, "nonstaff": ("anon", "person", "ent"),
          "everyone": ("anon", "person", "ent", *LEVELS)}
OWN_COLUMNS = ("anon", "person", "ent", *LEVELS)


@dataclass(frozen=True)
class R:
    """One URL name's classification (see the module docstring) and the reason for it.

    `data` is what a POST sends (default `{"post": "yes"}`, which also confirms Django's
    delete pages, so a refused POST is a real attempt).
    """

    spec: str
    why: str
    data: dict[str, Any] | None = None
    expect: dict[str, tuple[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        table: dict[str, tuple[str, str]] = {}
        for token in self.spec.split():
            who, _, value = token.partition("=")
            get, _, post = value.partition("/")
            pair = (get, post or get)
            assert set(pair) <= OUTCOMES, f"unknown outcome in {token!r}"
            for name in GROUPS.get(who, (who,)):
                assert name in OWN_COLUMNS or name.endswith("_other"), f"unknown role {name!r}"
                table[name] = pair
        missing = [c for c in OWN_COLUMNS if c not in table]
        assert not missing, f"{self.spec!r}: no expectation for {missing}"
        for own in ("ent", "county", "city", "province"):
            if f"{own}_other" not in table:
                table[f"{own}_other"] = tuple(  # type: ignore[assignment]
                    "404" if outcome in LET_IN else outcome for outcome in table[own])
        object.__setattr__(self, "expect", table)


def _is_http_redirect(response: HttpResponse) -> bool:
    return response.status_code in (301, 302, 303, 307, 308)


def outcome_of(response: HttpResponse) -> str:
    if _is_http_redirect(response):
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return "login"
        if location.startswith(reverse("admin:login")):
            return "admin_login"
        # Anything else stays on this site.
        assert location.startswith("/") and not location.startswith("//"), location
        return "moved"
    if response.status_code == 200:
        return "ok"
    return str(response.status_code)


# --- the URL patterns ------------------------------------------------------------------------


def walk(patterns: list | None = None, namespace: str = "", prefix: str = "",
         ) -> list[tuple[str | None, str, Callable]]:
    """(name with namespace or None, route, callback) of every URL pattern of the site."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            found += walk(pattern.url_patterns,
                          ":".join(n for n in (namespace, inner) if n), route)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            found.append((name, route, pattern.callback))
    return found


# Patterns Django's admin adds without a name: they answer every request by a redirect to a
# named page (which the matrix checks) or by a 404 for unknown paths.
def is_admin_fallback(route: str, callback: Callable) -> bool:
    view_class = getattr(callback, "view_class", None)
    if route.startswith("admin/") and view_class is not None and view_class.__name__ == "RedirectView":
        return True
    return route == "admin/(?P<url>.*)$" and callback.__name__ == "catch_all_view"


ADMIN_OBJECT = re.compile(r"^admin:(?P<app>.+?)_(?P<model>[a-z0-9]+)_(?P<view>change|delete|history)$")


def admin_object_label(name: str) -> str | None:
    """`app.model` of a model admin's per-object URL name (change/delete/history), else None."""
    match = ADMIN_OBJECT.match(name)
    if not match:
        return None
    for model in apps.get_models():
        opts = model._meta
        if (opts.app_label, opts.model_name) == (match["app"], match["model"]):
            return opts.label_lower
    return None


# --- what a refused POST must leave alone ----------------------------------------------------


# A refused request is itself recorded (等保 安全审计: every 403/404 to a logged-in user): the
# security log grows by design and is not "the database changing".
RECORDS_REFUSALS = {"audit_securityevent"}


def _tables() -> list[str]:
    return sorted({m._meta.db_table for m in apps.get_models()
                   if m._meta.managed and not m._meta.proxy} - RECORDS_REFUSALS)


def table_counts() -> tuple[int, ...]:
    """The row count of every table, in one statement."""
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in _tables())
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def row_of(obj: Any) -> dict[str, Any] | None:
    if obj is None or not hasattr(obj, "_meta"):
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).values().first()


# --- asking ----------------------------------------------------------------------------------


def log_in(client: Client, user: Any) -> None:
    """How each role's client is logged in: an admin account also passes its second factor
    (the world is built outside any test, where conftest's force_login wrapper is not active)."""
    from tests.conftest import login_password_only, verify_second_factor

    login_password_only(client, user)
    if user.is_admin_account:
        verify_second_factor(client, user)


def ask(client: Client, method: str, url: str, data: dict[str, Any],
        watched: Any = None, must_not_change: bool = False) -> tuple[HttpResponse, str]:
    """One request inside a savepoint that is rolled back, so the world stays as built.

    When `must_not_change`, the row counts of every table and the watched object's row must be
    the same after the request as before (a refused POST changes nothing)."""
    problem = ""
    # A page that logs out or cycles the session key must not change who the client is for
    # the next request (its session row comes back with the rollback; the cookie is restored).
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        before = (table_counts(), row_of(watched)) if must_not_change else None
        response = client.get(url) if method == "GET" else client.post(url, data)
        if before is not None and (table_counts(), row_of(watched)) != before:
            problem = "a refused POST changed the database"
        transaction.set_rollback(True)
    client.cookies = cookies
    return response, problem
