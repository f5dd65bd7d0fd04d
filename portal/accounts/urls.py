from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("phone/", views.phone_change, name="phone"),
    path("phone/email/", views.phone_email_start, name="phone_email"),
    path("phone/email/verify/", views.phone_email_verify, name="phone_email_verify"),
    path("phone/manual/", views.phone_manual, name="phone_manual"),
    path("recover/", views.recover, name="recover"),
    path("recover/done/", views.recover_complete, name="recover_complete"),
    path("recover/<uidb64>/<token>/", views.RecoverConfirmView.as_view(), name="recover_confirm"),
]
