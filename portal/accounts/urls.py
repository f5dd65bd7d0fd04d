from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from . import security_views, views

app_name = "accounts"

# 用户服务协议 and 个人信息保护声明 name where to write (个人信息保护法 第五十条).
CONTACT = {"contact_email": settings.PRIVACY_CONTACT_EMAIL}

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("terms/", TemplateView.as_view(template_name="accounts/terms.html",
                                         extra_context=CONTACT), name="terms"),
    path("privacy/", TemplateView.as_view(template_name="accounts/privacy.html",
                                          extra_context=CONTACT), name="privacy"),
    path("phone/", views.phone_change, name="phone"),
    path("phone/email/", views.phone_email_start, name="phone_email"),
    path("phone/email/verify/", views.phone_email_verify, name="phone_email_verify"),
    path("phone/manual/", views.phone_manual, name="phone_manual"),
    # Admin accounts: second factor and own password (policy.py says when they are required).
    path("otp/setup/", security_views.otp_setup, name="otp_setup"),
    path("otp/verify/", security_views.otp_verify, name="otp_verify"),
    path("otp/backup-codes/", security_views.otp_backup_codes, name="otp_backup_codes"),
    path("admin-password/", security_views.admin_password, name="admin_password"),
    # Enterprise and 自然人 accounts: 账户安全, password and login e-mail with a one-time code.
    path("security/", security_views.security, name="security"),
    path("security/password/", security_views.password_change, name="password_change"),
    path("security/email/", security_views.email_change, name="email_change"),
    path("recover/", views.recover, name="recover"),
    path("recover/done/", views.recover_complete, name="recover_complete"),
    path("recover/<uidb64>/<token>/", views.RecoverConfirmView.as_view(), name="recover_confirm"),
]
