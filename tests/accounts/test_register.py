import re

import pytest

from portal.accounts.models import User
from tests.accounts.helpers import CAPTCHA_OK
from tests.conftest import PASSWORD, make_id_number, make_uscc

pytestmark = pytest.mark.django_db


def enterprise_form(**overrides):
    data = {
        "kind": "enterprise",
        "username": "kejie01",
        "uscc": make_uscc("440106", 77),
        "org_name": "广州科捷智能装备有限公司",
        "person_name": "陈志强",
        "mobile": "13800138000",
        "email": "kejie@example.cn",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
        **CAPTCHA_OK,
    }
    data.update(overrides)
    return data


def test_it_registers_an_enterprise_account_and_logs_it_in(client):
    response = client.post("/accounts/register/", enterprise_form())
    assert response.status_code == 302
    assert response["Location"] == "/enterprise/"
    user = User.objects.get(username="kejie01")
    assert user.kind == User.Kind.ENTERPRISE
    assert user.uscc == make_uscc("440106", 77)
    assert user.region.code == "440106"  # from USCC digits 3–8
    assert user.check_password(PASSWORD)
    home = client.get("/enterprise/")
    assert "广州科捷智能装备有限公司" in home.content.decode()


def test_a_registered_code_gets_the_faq_3_answer_and_nothing_is_created(client, ent_tianhe):
    response = client.post("/accounts/register/", enterprise_form(uscc=ent_tianhe.uscc.lower()))
    assert response.status_code == 200
    body = response.content.decode()
    assert "该统一社会信用代码已注册账户" in body
    assert "账号找回" in body and "人工核验" in body
    assert User.objects.filter(uscc=ent_tianhe.uscc).count() == 1
    assert not User.objects.filter(username="kejie01").exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("uscc", "91440106MA00000770", "校验位不正确"),
        ("password1", "password1", "至少3类"),
        ("password2", "Other@2026pass", "两次输入的密码不一致"),
        ("mobile", "1234", "11位"),
        ("username", "9abc", "以英文字母开头"),
        ("captcha_1", "WRONG", "验证码不正确"),
        ("agree", "", "请阅读并同意"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_typed_values_are_kept(client, field, value, message):
    data = enterprise_form(**{field: value})
    if field == "password1":
        data["password2"] = value
    response = client.post("/accounts/register/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "广州科捷智能装备有限公司" in body  # what was typed is shown again
    assert not User.objects.filter(username="kejie01").exists()


def test_a_login_name_already_taken_is_refused(client, ent_tianhe):
    response = client.post("/accounts/register/", enterprise_form(username="ent_tianhe"))
    assert "该登录名已被使用" in response.content.decode()


def test_a_natural_person_registers_and_is_told_it_cannot_declare(client):
    id_number = make_id_number("440106", seq=456)
    response = client.post("/accounts/register/", {
        "kind": "person", "username": "zhangsan", "id_number": id_number, "person_name": "张三",
        "mobile": "13900139000", "email": "zs@example.cn", "password1": PASSWORD,
        "password2": PASSWORD, "agree": "on", **CAPTCHA_OK,
    })
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.kind == User.Kind.PERSON and user.id_number == id_number
    home = client.get("/enterprise/").content.decode()
    assert "自然人账户不能进行优质中小企业申报" in home


def test_a_bad_id_number_is_refused(client):
    response = client.post("/accounts/register/", {
        "kind": "person", "username": "zhangsan", "id_number": "110105194912310021",
        "person_name": "张三", "mobile": "13900139000", "email": "zs@example.cn",
        "password1": PASSWORD, "password2": PASSWORD, "agree": "on", **CAPTCHA_OK,
    })
    assert "身份证号校验位不正确" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_enterprise_only_views_refuse_a_natural_person_with_the_faq_2_answer(rf, person, ent_tianhe):
    from django.http import HttpResponse

    from portal.accounts.decorators import enterprise_required

    @enterprise_required
    def declare(request):
        return HttpResponse("declare form")

    request = rf.get("/x/")
    request.user = person
    response = declare(request)
    assert response.status_code == 403
    assert "自然人账户不能进行优质中小企业申报" in response.content.decode()
    request.user = ent_tianhe
    assert declare(request).content == b"declare form"


def test_the_already_registered_message_links_to_recovery_and_phone_change(client, ent_tianhe):
    response = client.post("/accounts/register/", enterprise_form(uscc=ent_tianhe.uscc))
    body = response.content.decode()
    assert '<a href="/accounts/recover/">【账号找回】</a>' in body
    assert '<a href="/accounts/phone/">【手机号修改】</a>' in body


def test_a_registered_id_number_links_to_recovery(client, person):
    data = enterprise_form(kind="person", id_number=person.id_number, person_name="李四")
    body = client.post("/accounts/register/?kind=person", data).content.decode()
    assert '<a href="/accounts/recover/">【账号找回】</a>' in body


def test_the_agreement_names_link_to_the_two_documents(client):
    body = client.get("/accounts/register/").content.decode()
    assert '<a href="/accounts/terms/" target="_blank" rel="noopener">《用户服务协议》</a>' in body
    assert '<a href="/accounts/privacy/" target="_blank" rel="noopener">《个人信息保护声明》</a>' in body


@pytest.mark.parametrize(
    "path,title,contents",
    [
        ("/accounts/terms/", "用户服务协议", ["法人账户", "真实性承诺", "联系我们"]),
        ("/accounts/privacy/", "个人信息保护声明",
         ["我们收集的信息和用途", "保存期限", "您的权利", "敏感个人信息", "联系我们"]),
    ],
)
def test_the_agreement_documents_are_pages_anyone_can_read(client, settings, path, title, contents):
    body = client.get(path).content.decode()
    assert title in body
    for text in contents:
        assert text in body
    assert settings.PRIVACY_CONTACT_EMAIL in body


def test_the_captcha_input_has_the_bootstrap_style(client):
    body = client.get("/accounts/register/").content.decode()
    assert re.search(r'<input[^>]*class="form-control"[^>]*name="captcha_1"', body) or re.search(
        r'<input[^>]*name="captcha_1"[^>]*class="form-control"', body
    )
