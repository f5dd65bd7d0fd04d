from django.urls import path

from . import views

app_name = "declarations"

# Mounted at the site root: the public dialog lives under /declare/, the enterprise's pages
# under /enterprise/declarations/ (design.md's URL map).
D = "enterprise/declarations/<uuid:public_id>/"
urlpatterns = [
    path("declare/<slug:tier>/regions/", views.open_regions, name="open_regions"),
    # 企业申报信息
    path("enterprise/declarations/", views.declarations, name="list"),
    path("enterprise/declarations/start/<slug:tier>/", views.start, name="start"),
    path(D, views.detail, name="detail"),
    path(f"{D}edit/", views.edit, name="edit"),
    path(f"{D}autosave/", views.autosave, name="autosave"),
    path(f"{D}preview/", views.preview, name="preview"),
    path(f"{D}submit/", views.submit, name="submit"),
    # 认证到期管理 (复核)
    path("enterprise/rereviews/", views.rereviews, name="rereviews"),
    path("enterprise/rereviews/<int:recognition_id>/start/", views.rereview_start,
         name="rereview_start"),
    # 佐证材料
    path(f"{D}evidence/", views.evidence_upload, name="evidence_upload"),
    path(f"{D}evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path(f"{D}evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    # 申报书
    path(f"{D}pdf/", views.pdf, name="pdf"),
]
