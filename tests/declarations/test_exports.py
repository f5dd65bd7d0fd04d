"""推荐汇总表 / 复核情况汇总表: layout, totals, escaping, scope, background jobs and privacy."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import uuid

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from common.models import ExportJob
from declarations import exports
from declarations.models import Declaration
from enterprises.models import Enterprise, Recognition, YearFigures
from portal.regions.models import Region
from tests.conftest import make_uscc
from tests.declarations.conftest import open_window

pytestmark = pytest.mark.django_db
_seq = itertools.count(100)


def company(name: str, county: str = "440106") -> Enterprise:
    return Enterprise.objects.create(name=name, uscc=make_uscc(county, next(_seq)),
                                     region=Region.objects.get(code=county), employees=100)


def filed(enterprise: Enterprise, window, *, revenue: str = "5000", rd: str = "250",
          employees: int = 100, total: int = 80, verdict: str = "符合",
          status: str = Declaration.Status.AT_PROVINCE, name: str | None = None) -> Declaration:
    n = next(_seq)
    section = Enterprise.objects.filter(pk=enterprise.pk).values_list("industry__section",
                                                                     flat=True).get()
    return Declaration.objects.create(
        number=f"D{n:08d}", enterprise=enterprise, tier=window.tier, window=window,
        region=enterprise.region, section=section or "", status=status,
        submitted_at=timezone.now(),
        result={"total": total, "verdict": verdict},
        profile={"name": name or enterprise.name, "uscc": enterprise.uscc,
                 "region": enterprise.region.full_name, "industry": "3311 金属结构制造",
                 "scale_label": "小型", "employees": str(employees), "rd_staff": "10",
                 "figures": {"2024": {"operating_revenue": "1", "rd_expense": "0"},
                             "2025": {"operating_revenue": revenue, "rd_expense": rd,
                                      "net_profit": "100"}}})


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


@pytest.fixture
def gd_window(db):
    return open_window("440000", "innovative")


@pytest.fixture
def gd_rows(gd_window):
    return [filed(company("广州甲科技有限公司"), gd_window, revenue="5000", rd="250", employees=100),
            filed(company("广州乙制造有限公司", "440104"), gd_window, revenue="3000.50", rd="300",
                  employees=50)]


def test_the_recommend_summary_has_title_merged_headers_rows_and_totals(client, gd_province,
                                                                        gd_rows, gd_window):
    client.force_login(gd_province)
    response = client.get(reverse("admin:declarations_export_recommend"),
                          {"window__id__exact": gd_window.pk})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = sheet_of(response.content)
    ranges = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:R1", "A2:R2", "A3:A4", "B3:F3", "G3:L3", "M3:R3"} <= ranges
    assert sheet["A1"].value == "广东省优质中小企业推荐汇总表"
    assert "2026年第一批" in sheet["A2"].value
    assert sheet["B3"].value == "企业基本情况" and sheet["G4"].value == "营业收入（万元）"
    names = [sheet.cell(row=r, column=2).value for r in (5, 6)]
    assert sorted(names) == ["广州乙制造有限公司", "广州甲科技有限公司"]
    total_row = [c.value for c in sheet[7]]
    assert total_row[0] == "合计" and total_row[1] == "共 2 家企业"
    assert total_row[6] == pytest.approx(8000.50)  # 营业收入
    assert total_row[7] == pytest.approx(550)  # 研发费用
    assert total_row[10] == 150  # 职工总数
    assert sheet.max_row == 7


def test_the_export_follows_the_search_and_filters(client, gd_province, gd_rows):
    client.force_login(gd_province)
    response = client.get(reverse("admin:declarations_export_recommend"), {"q": "乙制造"})
    sheet = sheet_of(response.content)
    assert sheet["B5"].value == "广州乙制造有限公司"
    assert sheet["A6"].value == "合计"


def test_another_regions_rows_are_never_in_the_file(client, gd_province, gd_rows):
    js = open_window("320000", "innovative")
    filed(company("南京丙软件有限公司", "320102"), js)
    client.force_login(gd_province)
    body = sheet_of(client.get(reverse("admin:declarations_export_recommend"),
                               {"queue": "all"}).content)
    names = {c.value for c in body["B"]}
    assert "南京丙软件有限公司" not in names
    assert "广州甲科技有限公司" in names


def test_a_county_official_exports_only_its_county(client, tianhe_county, gd_rows):
    client.force_login(tianhe_county)
    sheet = sheet_of(client.get(reverse("admin:declarations_export_recommend"),
                                {"queue": "all"}).content)
    assert sheet["B5"].value == "广州甲科技有限公司"
    assert sheet["A6"].value == "合计"
    assert sheet["A1"].value.startswith("广东省广州市天河区")


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])
def test_cells_that_could_run_as_formulas_are_escaped(client, gd_province, gd_window, evil):
    filed(company("广州丁有限公司"), gd_window, name=evil)
    client.force_login(gd_province)
    sheet = sheet_of(client.get(reverse("admin:declarations_export_recommend")).content)
    # (an XML reader gives a carriage return back as a line feed)
    assert sheet["B5"].value.replace("\n", "\r") == "'" + evil
    assert sheet["B5"].data_type == "s"


def test_the_default_view_exports_the_officials_own_queue(client, tianhe_county, gd_rows):
    client.force_login(tianhe_county)  # 待我审核 holds nothing at the county level here
    sheet = sheet_of(client.get(reverse("admin:declarations_export_recommend")).content)
    assert sheet["A5"].value == "合计" and sheet["B5"].value == "共 0 家企业"


def test_bad_filters_export_nothing_and_say_so(client, gd_province, gd_rows):
    client.force_login(gd_province)
    response = client.get(reverse("admin:declarations_export_recommend"), {"nonsense": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:declarations_declaration_changelist")


def test_an_enterprise_account_cannot_export(client, ent_tianhe, gd_rows):
    client.force_login(ent_tianhe)
    response = client.get(reverse("admin:declarations_export_recommend"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- 复核情况汇总表 ---------------------------------------------------------------------------


def test_the_rereview_summary_gives_the_reason_of_each_title_that_did_not_pass(client, gd_province):
    a, b, c = company("广州有效公司"), company("广州取消公司"), company("广州到期公司")
    YearFigures.objects.create(enterprise=a, year=2024, operating_revenue=100, rd_expense=5)
    YearFigures.objects.create(enterprise=a, year=2025, operating_revenue=200, rd_expense=10)
    YearFigures.objects.create(enterprise=b, year=2025, operating_revenue=300, rd_expense=20)
    common = {"tier": "specialized", "batch": "2023年第一批"}
    Recognition.objects.create(enterprise=a, valid_from=dt.date(2025, 1, 1),
                               valid_until=dt.date(2028, 1, 1), **common)
    Recognition.objects.create(enterprise=b, valid_from=dt.date(2023, 1, 1),
                               valid_until=dt.date(2026, 12, 31), state="revoked",
                               revoked_at=timezone.now(), revoke_reason="发生重大安全事故", **common)
    Recognition.objects.create(enterprise=c, valid_from=dt.date(2020, 1, 1),
                               valid_until=dt.date(2023, 1, 1), **common)
    nanjing = company("南京有效公司", "320102")
    Recognition.objects.create(enterprise=nanjing, valid_from=dt.date(2025, 1, 1),
                               valid_until=dt.date(2028, 1, 1), **common)
    client.force_login(gd_province)
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("admin:declarations_export_rereview"))
    sheet = sheet_of(response.content)
    assert sheet["A1"].value == "广东省优质中小企业复核情况汇总表"
    assert {"A1:O1", "B3:E3", "F3:H3", "I3:M3", "N3:O3"} <= {str(r) for r in sheet.merged_cells.ranges}
    rows = {sheet.cell(row=r, column=2).value: [c.value for c in sheet[r]] for r in range(5, 8)}
    assert set(rows) == {"广州有效公司", "广州取消公司", "广州到期公司"}
    assert rows["广州有效公司"][13:15] == ["有效", None]
    assert rows["广州有效公司"][5:8] == [2025, 200, 10]  # the latest year's figures
    assert rows["广州取消公司"][13:15] == ["未通过（已取消）", "发生重大安全事故"]
    assert rows["广州到期公司"][13:15] == ["未通过（已到期）", "有效期届满未通过复核"]
    total = [c.value for c in sheet[8]]
    assert total[:2] == ["合计", "共 3 家企业"]
    assert total[6] == 500 and total[4] == 300


# --- background jobs --------------------------------------------------------------------------


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 1)


def test_a_large_export_runs_in_the_background_with_progress_and_a_link(
        client, gd_province, gd_rows, small_threshold, monkeypatch, settings, tmp_path,
        django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    seen = []
    real = exports.write_workbook

    def spy(*args, **kwargs):
        inner = kwargs["on_progress"]
        kwargs["on_progress"] = lambda n: (inner(n), seen.append(ExportJob.objects.get().progress))
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "write_workbook", spy)
    client.force_login(gd_province)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("admin:declarations_export_recommend"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:declarations_export_job", args=[job.pk])
    assert seen == [1, 2]  # progress stored as the rows were written
    assert job.status == ExportJob.Status.DONE and job.percent == 100
    assert job.expires_at - job.created_at == dt.timedelta(days=7)
    page = client.get(response["Location"]).content.decode()
    download = reverse("admin:declarations_export_download", args=[job.pk])
    assert download in page
    file = client.get(download)
    sheet = sheet_of(b"".join(file.streaming_content))
    assert sheet["A7"].value == "合计"


def test_a_pending_job_shows_its_progress_and_refreshes(client, gd_province):
    job = ExportJob.objects.create(requested_by=gd_province, kind="recommend", title="推荐汇总表",
                                   total=4000, progress=1000, status=ExportJob.Status.RUNNING,
                                   expires_at=timezone.now() + dt.timedelta(days=7))
    client.force_login(gd_province)
    body = client.get(reverse("admin:declarations_export_job", args=[job.pk])).content.decode()
    assert 'value="25"' in body and 'http-equiv="refresh"' in body
    assert reverse("admin:declarations_export_download", args=[job.pk]) not in body


def test_another_official_cannot_see_or_download_the_file(client, gd_province, gz_city, gd_rows,
                                                         small_threshold, settings, tmp_path,
                                                         django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(gd_province)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("admin:declarations_export_recommend"))
    job = ExportJob.objects.get()
    client.force_login(gz_city)
    assert client.get(reverse("admin:declarations_export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("admin:declarations_export_download", args=[job.pk])).status_code == 404


def test_a_job_is_built_once_even_when_delivered_twice(gd_province, gd_rows, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(requested_by=gd_province, kind="recommend", title="推荐汇总表",
                                   expires_at=timezone.now() + dt.timedelta(days=7))
    assert exports.export_job_run(job_id=job.pk) is True
    assert exports.export_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.progress == 2 and job.file


def test_files_expire_after_seven_days(gd_province, gd_rows, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(requested_by=gd_province, kind="recommend", title="推荐汇总表",
                                   expires_at=timezone.now() + exports.KEEP_FOR)
    exports.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    path = job.file.path
    assert exports.export_jobs_expire(now=timezone.now() + dt.timedelta(days=6)) == 0
    assert exports.export_jobs_expire(now=timezone.now() + dt.timedelta(days=7, seconds=1)) == 1
    assert exports.export_jobs_expire(now=timezone.now() + dt.timedelta(days=8)) == 0
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    import os

    assert not os.path.exists(path)


# --- a real worker on Redis -------------------------------------------------------------------


class _OwnQueue:
    """The export task sent to this test's own queue (the same task, the same arguments)."""

    def __init__(self, task, queue: str) -> None:
        self.task, self.queue = task, queue

    @property
    def name(self) -> str:
        return self.task.name

    def delay(self, *args):  # noqa: ANN201
        return self.task.apply_async(args=args, queue=self.queue)

    def apply_async(self, args=(), **options):  # noqa: ANN201 - what common.jobs.enqueue calls
        return self.task.apply_async(args=args, queue=self.queue, **options)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="runs where REDIS_URL is configured "
                    "(a real Celery worker needs a broker)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_builds_a_large_export_that_only_its_official_downloads(
        client, gd_province, gz_city, gd_window, monkeypatch, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: needs PostgreSQL, DATABASE_URL is SQLite")
    from portal.celery import app
    from tests.celery_worker import start_worker, stop_worker, wait_for

    names = [f"广州{n}号科技有限公司" for n in range(1, 8)]
    for name in names:
        filed(company(name), gd_window)
    filed(company("南京外省有限公司", "320102"), open_window("320000", "innovative"))
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # through the broker, for real
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 3)  # 7 rows: too many for the request
    queue = f"test-exports-{uuid.uuid4().hex}"
    monkeypatch.setattr(exports, "export_job_run_task", _OwnQueue(exports.export_job_run_task,
                                                                  queue))
    settings.MEDIA_ROOT = tmp_path  # the worker writes where this process reads
    worker = start_worker(queue, MEDIA_ROOT=str(tmp_path))
    try:
        client.force_login(gd_province)
        response = client.get(reverse("admin:declarations_export_recommend"),
                              {"window__id__exact": gd_window.pk})
        job = ExportJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:declarations_export_job", args=[job.pk])
        assert job.total == 7 and job.requested_by == gd_province

        def done() -> bool:
            job.refresh_from_db()
            assert job.status != ExportJob.Status.FAILED, job.error
            return job.status == ExportJob.Status.DONE

        wait_for(done, 90, "the worker to build the export")
    finally:
        stop_worker(worker)
    assert job.percent == 100 and job.progress == job.total == 7 and job.finished_at
    page = client.get(reverse("admin:declarations_export_job", args=[job.pk])).content.decode()
    download = reverse("admin:declarations_export_download", args=[job.pk])
    assert 'value="100"' in page and download in page and 'http-equiv="refresh"' not in page
    file = client.get(download)
    assert file.status_code == 200 and file["Content-Disposition"].startswith("attachment")
    sheet = sheet_of(b"".join(file.streaming_content))
    assert sheet["A1"].value == "广东省优质中小企业推荐汇总表"
    assert "2026年第一批" in sheet["A2"].value
    assert sorted(sheet.cell(row=r, column=2).value for r in range(5, 12)) == sorted(names)
    assert [c.value for c in sheet[12]][:2] == ["合计", "共 7 家企业"] and sheet.max_row == 12
    # Another official — even one whose scope holds every row — gets 404 for the job and file.
    client.force_login(gz_city)
    assert client.get(reverse("admin:declarations_export_job", args=[job.pk])).status_code == 404
    assert client.get(download).status_code == 404
