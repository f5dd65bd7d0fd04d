"""Cache-Control: no-store on everything a logged-in user receives (PrivateNoStoreMiddleware)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import MajorChange
from enterprises.services import enterprise_for_account
from tests.enterprises.conftest import complete

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/announcements/", "/accounts/terms/"])
def test_public_pages_for_anonymous_visitors_are_not_marked_no_store(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert not no_store(response)


@pytest.mark.parametrize("path", ["/", "/announcements/", "/enterprise/", "/enterprise/profile/",
                                  "/accounts/terms/"])
def test_every_page_a_logged_in_user_receives_is_no_store(client, ent_tianhe, path):
    client.force_login(ent_tianhe)
    response = client.get(path)
    assert response.status_code == 200
    assert no_store(response)
    assert "public" not in response["Cache-Control"]


def test_a_private_file_download_is_no_store(client, ent_tianhe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complete(enterprise_for_account(user=ent_tianhe), 2025)
    client.force_login(ent_tianhe)
    client.post("/enterprise/changes/new/", {
        "change_type": "rename", "changed_on": "2026-05-20", "before": "广州天河科技有限公司",
        "after": "广州天河智造有限公司", "new_name": "广州天河智造有限公司", "new_region": "",
        "reason": "品牌升级", "files": [SimpleUploadedFile("营业执照变更.pdf", PDF)],
    })
    change = MajorChange.objects.get()
    response = client.get(
        f"/enterprise/changes/{change.public_id}/files/{change.evidence.get().pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert no_store(response)

