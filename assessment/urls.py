from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("<uuid:public_id>/", views.take, name="take"),
    path("<uuid:public_id>/autosave/", views.autosave, name="autosave"),
    path("<uuid:public_id>/discard/", views.discard, name="discard"),
    path("<uuid:public_id>/result/", views.result, name="result"),
    path("<uuid:public_id>/report.pdf", views.report_pdf, name="report"),
]
