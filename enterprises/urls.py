from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.edit, name="edit"),
    path("profile/update/", views.update, name="update"),
    path("options/<slug:tree>/", views.options, name="options"),
    path("changes/", views.changes, name="changes"),
    path("changes/new/", views.change_new, name="change_new"),
    path("changes/<uuid:public_id>/", views.change_detail, name="change_detail"),
    path("changes/<uuid:public_id>/edit/", views.change_edit, name="change_edit"),
    path("changes/<uuid:public_id>/submit/", views.change_submit, name="change_submit"),
    path("changes/<uuid:public_id>/delete/", views.change_delete, name="change_delete"),
    path("changes/<uuid:public_id>/files/<int:file_id>/", views.change_file, name="change_file"),
]
