"""Public announcement pages: the list with search, the detail, attachment downloads."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from common.integrity import FileTampered, refused_response, verified_copy
from common.pagecache import account_page

from . import counters, selectors
from .caching import anonymous_cacheable
from .forms import SearchForm

# A page number beyond this is certainly garbage (COUNT_CAP / PAGE_SIZE = 500 real pages).
MAX_PAGE = 100_000


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def announcement_list(request: HttpRequest) -> HttpResponse:
    """通知公告: newest first, pinned on top; search by keyword, level, region, date range."""
    state = selectors.site_state()
    number = _page_number(request.GET.get("page"))
    only_paging = set(request.GET) <= {"page"}

    def build() -> str:
        form = SearchForm(request.GET or None)
        filters = form.filters()
        page = selectors.page_of(filters, number, state=state)
        query = {k: v for k, v in request.GET.items() if k != "page" and k in form.fields and v}
        context = {"form": form, "filters": filters, "page": page, "query": urlencode(query)}
        return render_to_string("announcements/list.html", context, request)

    if only_paging and anonymous_cacheable(request):
        # The plain list (any page number) is what most visitors and crawlers ask for.
        return HttpResponse(selectors.cached_page(f"list:{number}", state, build))
    return HttpResponse(build())


def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One public announcement; for anonymous visitors the page is cached like the list (the
    state key changes on every publish, withdrawal or edit). Every view is counted, cached or
    not (buffered: counters.py)."""

    def article() -> tuple[str, str]:
        """(title, the page's main part): the same for every visitor."""
        announcement = selectors.get_public_announcement(pk)
        newer, older = selectors.neighbours(announcement)
        context = {"announcement": announcement, "attachments": list(announcement.attachments.all()),
                   "newer": newer, "older": older}
        return announcement.title, render_to_string("announcements/includes/detail_body.html",
                                                    context)

    def build() -> str:
        title, body = article()
        return render_to_string("announcements/detail.html",
                                {"title": title, "body": mark_safe(body)}, request)  # noqa: S308  # nosec B308 B703 - our own template's output

    if anonymous_cacheable(request):
        response = HttpResponse(selectors.cached_page(f"detail:{pk}", selectors.site_state(), build))
    else:
        response = _logged_in_detail(request, pk, article)
    counters.count_view(pk)  # served from a cache or not
    return response


@account_page
def _logged_in_detail(request: HttpRequest, pk: int,
                      article: Callable[[], tuple[str, str]]) -> HttpResponse:
    """Logged in: the header is the visitor's own, the article is everyone's, kept under the
    same state key as the anonymous page (a publish, withdrawal or edit renews it); an
    enterprise's whole page is kept in its page cache (common/pagecache.py)."""
    title, body = selectors.cached_page(f"article:{pk}", selectors.site_state(), article)
    return HttpResponse(render_to_string("announcements/detail.html",
                                         {"title": title, "body": mark_safe(body)}, request))  # noqa: S308  # nosec B308 B703 - our own template's output


def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """An attachment of a public announcement, under its original (Chinese) name."""
    announcement = selectors.get_public_announcement(pk)
    attachment = get_object_or_404(announcement.attachments.all(), pk=attachment_pk)
    try:
        handle = verified_copy(attachment.file, attachment.sha256, subject=attachment,
                               request=request)
    except FileTampered:
        return refused_response(request)
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name)
    # RFC 6266/5987: the original Chinese name, percent-encoded UTF-8 (the generated storage
    # name never reaches the user).
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(attachment.original_name, safe='')}")
    return response
