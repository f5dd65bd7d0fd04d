"""The world the access matrix (test_access_matrix.py) walks: two parties, X and Y.

Party X is 广东 — enterprise A registered in 广州天河 and the county (天河), city (广州) and
province (广东) officials over it; party Y is 江苏 — enterprise B in 南京玄武 and the officials
of 玄武, 南京 and 江苏. Each party holds one object of every kind a URL can name (declaration,
evidence, major change and its file, message, assessment attempt, announcement and attachment,
recognition, windows, batch, objection …), so every URL can be asked for with the requester's
own object and with the other party's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from announcements.models import Announcement, Attachment, Level, Status
from announcements.services import site_settings
from assessment.models import Attempt, ProducerServiceIndustry, Questionnaire
from assessment.services import attempt_start
from common.models import ExportJob
from common.tiers import Tier
from declarations import services as declaration_services
from declarations.models import (
    Declaration,
    DeclarationWindow,
    Objection,
    OnsiteCheck,
    RecognitionBatch,
    ReviewChain,
    SamplingRun,
)
from enterprises.models import (
    ChangeEvidence,
    InfoUpdate,
    MajorChange,
    Recognition,
    RereviewSetting,
    UpdateWindow,
)
from messaging.models import Category, Message
from messaging.services import Outgoing, message_send
from portal.accounts.models import PhoneChangeRequest, SmsMessage, User
from portal.accounts.services import account_register_person
from portal.regions.models import DeclarationRegion, Region
from tests.conftest import enterprise, make_id_number, official
from tests.declarations.conftest import ready

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Party:
    """One side: its enterprise account, its officials and one object of each kind."""

    name: str
    county: str  # GB/T 2260 code of the enterprise's 注册地
    province: str  # declaration region code
    users: dict[str, User] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.objects[key]


def _party(name: str, *, username: str, county: str, city: str, province: str, seq: int,
           company_name: str) -> Party:
    party = Party(name=name, county=county, province=province)
    account = enterprise(username, county, seq, company_name)
    party.users = {
        "enterprise": account,
        "county": official(f"{username}_county", "county", county),
        "city": official(f"{username}_city", "city", city),
        "province": official(f"{username}_province", "province", province),
    }
    region = Region.objects.get(code=county)
    declaration_region = DeclarationRegion.objects.get(code=province)
    company = ready(account)
    company.region = region
    company.save()
    now = timezone.now()
    o = party.objects
    o["enterprises.enterprise"] = company
    o["accounts.user"] = account
    o["regions.region"] = region
    o["regions.declarationregion"] = declaration_region

    # A declaration filed with its evidence (officials review it), and a draft the enterprise
    # still edits (officials never see drafts).
    window = DeclarationWindow.objects.create(
        declaration_region=declaration_region, tier=Tier.INNOVATIVE, note=f"{name}第一批",
        starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=30))
    draft = declaration_services.declaration_start(enterprise=company, by=account,
                                                   tier=Tier.INNOVATIVE)
    declaration_services.declaration_save_section(declaration=draft, by=account, section="ip", data={
        "high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4})
    declaration_services.declaration_save_section(
        declaration=draft, by=account, section="innovation",
        data={"strategic_emerging_product": True, "honors": [], "rd_institution": "municipal",
              "awards": []})
    [filed_evidence] = declaration_services.evidence_add(
        declaration=draft, by=account, indicator="1", files=[pdf_file("知识产权证书.pdf")])
    filed = declaration_services.declaration_submit(declaration=draft, by=account, pledge=True)
    second_window = DeclarationWindow.objects.create(
        declaration_region=declaration_region, tier=Tier.INNOVATIVE, note=f"{name}第二批",
        starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=30))
    editable = Declaration.objects.create(
        number=f"{name}-DRAFT", enterprise=company, tier=Tier.INNOVATIVE, window=second_window,
        declaration_region=declaration_region, region=region, form_data=filed.form_data)
    [draft_evidence] = declaration_services.evidence_add(
        declaration=editable, by=account, indicator="1", files=[pdf_file("现场照片.pdf")])
    o["declarations.declaration"] = filed
    o["declarations.declarationwindow"] = window
    o["filed_evidence"] = filed_evidence
    o["draft"] = editable
    o["draft_evidence"] = draft_evidence

    o["enterprises.recognition"] = Recognition.objects.create(
        enterprise=company, tier=Tier.SPECIALIZED, batch="2023年第一批", certificate_no=f"{name}-1",
        valid_from=dt.date(2023, 6, 1), valid_until=dt.date(2026, 5, 31))
    o["enterprises.updatewindow"] = UpdateWindow.objects.create(
        year=2030, declaration_region=declaration_region,
        starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 4, 30))
    o["enterprises.rereviewsetting"] = RereviewSetting.objects.create(
        declaration_region=declaration_region, tier=Tier.SPECIALIZED)
    o["enterprises.infoupdate"] = InfoUpdate.objects.create(
        enterprise=company, year=2026, figures_year=2025, submitted_by=account, submitted_at=now)
    # A major change still a draft (the enterprise edits it) and a submitted one (officials
    # decide it), each with its evidence file.
    for key, status in (("draft_change", "draft"), ("enterprises.majorchange", "submitted")):
        change = MajorChange.objects.create(
            enterprise=company, change_type="rename", changed_on=dt.date(2026, 1, 5),
            before="旧名", after="新名", reason="更名", new_name=f"{company.name}（新）",
            review_region=region, status=status,
            submitted_at=now if status == "submitted" else None)
        o[key] = change
        o[f"{key}_file"] = ChangeEvidence.objects.create(
            change=change, file=ContentFile(PDF, name="更名通知.pdf"), name="更名通知.pdf",
            size=len(PDF))

    message_send(category=Category.DECLARATION, kind="matrix", outgoing=[
        Outgoing(recipient_id=account.pk, title="测试消息", body="内容", subject=name, period="")])
    o["messaging.message"] = Message.objects.get(recipient=account, kind="matrix")
    # An attempt in progress (the enterprise answers it) and a submitted one (officials see
    # only submitted attempts).
    submitted = attempt_start(enterprise=company, by=account)
    Attempt.objects.filter(pk=submitted.pk).update(
        status="submitted", submitted_at=now, total_score=Decimal("55.0"), level=2)
    submitted.refresh_from_db()
    o["assessment.attempt"] = submitted
    o["draft_attempt"] = attempt_start(enterprise=company, by=account)
    assert o["draft_attempt"].pk != submitted.pk
    o["accounts.phonechangerequest"] = PhoneChangeRequest.objects.create(
        user=account, new_mobile="13700000000", applicant_name="张三", reason="号码停用",
        letter=ContentFile(PDF, name="授权书.pdf"), letter_name="授权书.pdf")
    o["accounts.smsmessage"] = SmsMessage.objects.create(to="13800000000", recipient=account,
                                                         text="您的登录名是……")
    announcement = Announcement.objects.create(
        title=f"{name}省级通知", level=Level.PROVINCE, kind="notice", status=Status.PUBLISHED,
        publish_at=now - dt.timedelta(hours=1), body="<p>正文</p>", body_text="正文",
        issuing_region=declaration_region)
    o["announcements.announcement"] = announcement
    o["attachment"] = Attachment.objects.create(
        announcement=announcement, file=ContentFile(PDF, name="指南.pdf"), original_name="申报指南.pdf",
        size=len(PDF))

    # 公示 of a batch holding the filed declaration, with a written objection.
    batch = RecognitionBatch.objects.create(
        name=f"{name}2026年第一批", tier=Tier.INNOVATIVE, declaration_region=declaration_region,
        status="publicizing", objection_contact=f"{name}工业和信息化厅")
    o["declarations.recognitionbatch"] = batch
    o["declarations.objection"] = Objection.objects.create(
        batch=batch, declaration=filed, filed_by="person", filer_name="李四",
        filer_contact="13900000000", received_on=timezone.localdate(), summary="数据不实",
        letter=ContentFile(PDF, name="异议书.pdf"), letter_name="异议书.pdf")
    o["declarations.reviewchain"] = ReviewChain.objects.create(
        declaration_region=declaration_region, tier=Tier.GIANT)
    run = SamplingRun.objects.create(level="county", drawn_by=party.users["county"],
                                     rate="0.10", seed="matrix", population=[filed.pk],
                                     chosen=[filed.pk])
    o["declarations.samplingrun"] = run
    o["declarations.onsitecheck"] = OnsiteCheck.objects.create(declaration=filed, run=run,
                                                               level="county")
    # An export the party's province official asked for (only they may fetch it).
    o["export_job"] = ExportJob.objects.create(
        requested_by=party.users["province"], kind="recommend", title="推荐汇总表",
        status="done", total=1, progress=1, file=ContentFile(b"xlsx", name="推荐汇总表.xlsx"),
        filename="推荐汇总表.xlsx", expires_at=now + dt.timedelta(days=7))
    return party


@dataclass
class World:
    x: Party
    y: Party
    users: dict[str, User]  # every role's account (anonymous is None)
    national: dict[str, Any]  # rows that belong to no party (operators' tables, national data)

    def party_of(self, role: str) -> Party | None:
        if role.endswith("_x") or role == "enterprise_a":
            return self.x
        if role.endswith("_y") or role == "enterprise_b":
            return self.y
        return None


def build_world() -> World:
    x = _party("广东", username="ent_a", county="440106", city="440100", province="440000", seq=1,
               company_name="广州天河科技有限公司")
    y = _party("江苏", username="ent_b", county="320102", city="320100", province="320000", seq=2,
               company_name="南京玄武软件有限公司")
    person = account_register_person(
        username="zrr_matrix", id_number=make_id_number("440106"), person_name="李四",
        mobile="13900000000", email="zrr_matrix@example.cn", password="Test@2026pass")
    users = {
        "enterprise_a": x.users["enterprise"], "enterprise_b": y.users["enterprise"],
        "person": person,
        "county_x": x.users["county"], "city_x": x.users["city"], "province_x": x.users["province"],
        "county_y": y.users["county"], "city_y": y.users["city"], "province_y": y.users["province"],
        "ministry": official("matrix_ministry", "ministry"),
    }
    interval = IntervalSchedule.objects.create(every=1, period="days")
    national = {
        "auth.group": Group.objects.create(name="矩阵测试组"),
        "django_celery_beat.intervalschedule": interval,
        "django_celery_beat.crontabschedule": CrontabSchedule.objects.create(minute="0", hour="1"),
        "django_celery_beat.solarschedule": SolarSchedule.objects.create(
            event="sunrise", latitude=23.1, longitude=113.3),
        "django_celery_beat.clockedschedule": ClockedSchedule.objects.create(
            clocked_time=timezone.now() + dt.timedelta(days=1)),
        "django_celery_beat.periodictask": PeriodicTask.objects.create(
            name="矩阵测试任务", task="portal.tasks.none", interval=interval),
        "assessment.questionnaire": Questionnaire.objects.filter(is_active=True).first(),
        "assessment.producerserviceindustry": ProducerServiceIndustry.objects.first(),
        "announcements.sitesettings": site_settings(),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="someone", ip_address="10.0.0.1", user_agent="test", failures_since_start=1),
        "axes.accesslog": AccessLog.objects.create(username="someone", ip_address="10.0.0.1",
                                                   user_agent="test"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="someone", ip_address="10.0.0.1", user_agent="test"),
        "declaration_content_type": ContentType.objects.get_for_model(Declaration),
    }
    return World(x=x, y=y, users=users, national=national)
