"""A pool of pre-generated captchas, so showing a login page writes nothing.

django-simple-captcha inserts a row for every captcha it shows, i.e. on every view of the
login, registration and 企业认定查询 pages. Here the rows are made ahead in bulk
(`captcha_pool_refill`: every 5 minutes on the beat, hourly in `run_calendar`, and by the page
itself when the pool is found empty) and a page only reads one at random.

The rules of a captcha are unchanged: it is deleted by its first attempt, right or wrong (the
library's field does that), so it is single-use; and it expires. A pooled row lives
`CAPTCHA_TIMEOUT` minutes from its creation and is only shown while at least
`CAPTCHA_GET_FROM_POOL_TIMEOUT` minutes remain, so every visitor has at least that long to
answer, and none longer than `CAPTCHA_TIMEOUT`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.db import transaction
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString


def _show_until() -> dt.datetime:
    """A row is shown only if it expires after this: the visitor's minimum time to answer."""
    return timezone.now() + dt.timedelta(minutes=int(captcha_settings.CAPTCHA_GET_FROM_POOL_TIMEOUT))


def captcha_pool_refill(*, size: int | None = None) -> int:
    """Delete expired captchas and top the pool up to `size` (default `CAPTCHA_POOL_SIZE`)
    rows that may still be shown; returns how many were made (one bulk INSERT)."""
    size = settings.CAPTCHA_POOL_SIZE if size is None else size
    now = timezone.now()
    with transaction.atomic():
        CaptchaStore.objects.filter(expiration__lte=now).delete()
        showable = CaptchaStore.objects.filter(expiration__gt=_show_until()).count()
        expiration = now + dt.timedelta(minutes=int(captcha_settings.CAPTCHA_TIMEOUT))
        rows = []
        for _ in range(max(size - showable, 0)):
            challenge, response = captcha_settings.get_challenge()()
            # The same 40 hex characters the model's save() makes, from the system's CSPRNG.
            rows.append(CaptchaStore(challenge=challenge, response=response.lower(),
                                     hashkey=secrets.token_hex(20), expiration=expiration))
        CaptchaStore.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def captcha_pick() -> str:
    """The key of a random pooled captcha that may still be shown (a refill first when the
    pool has none left)."""
    for _ in range(2):
        # The first showable key at or after a random one, on the key's unique index (keys are
        # random hex, so every row is about as likely); past the last key, the first one.
        showable = CaptchaStore.objects.filter(expiration__gt=_show_until()).order_by("hashkey")
        key = (showable.filter(hashkey__gte=secrets.token_hex(20)).values_list("hashkey", flat=True)
               .first() or showable.values_list("hashkey", flat=True).first())
        if key is not None:
            return key
        captcha_pool_refill()
    return CaptchaStore.generate_key()  # a pool of size 0: one captcha per view, as before


class PooledCaptchaTextInput(CaptchaTextInput):
    """The library's widget, taking its captcha from the pool instead of inserting one."""

    def fetch_captcha_store(self, name, value, attrs=None, generator=None):  # noqa: ANN001, ANN201
        key = captcha_pick()
        self._value = [key, ""]
        self._key = key
        self.id_ = self.build_attrs(attrs).get("id", None)

    def render(self, name, value, attrs=None, renderer=None):  # noqa: ANN001, ANN201
        """The library's markup (image, hidden key, answer box), written here rather than through
        its three nested widget templates: the same HTML at a fifth of the cost, on the pages
        every visitor opens first (login, registration)."""
        self.fetch_captcha_store(name, value, attrs, self.generator)
        common = self.build_attrs(self.attrs, attrs)
        base_id = common.pop("id", None)

        def box(kind: str, index: int, value: str | None, **extra: str) -> SafeString:
            own = {**common, "id": f"{base_id}_{index}"} if base_id else common
            return format_html('<input type="{}" name="{}_{}"{}{}{}>', kind, name, index,
                               format_html(' value="{}"', value) if value else "",
                               flatatt(own), flatatt(extra))

        image = format_html('<img src="{}" alt="captcha" class="captcha" />', self.image_url())
        audio = self.audio_url()
        if audio:
            image = format_html('<a title="{}" href="{}">{}</a>', "播放语音验证码", audio, image)
        return format_html("{}\n{}{}", image, box("hidden", 0, self._key),
                           box("text", 1, None, autocapitalize="off", autocorrect="off",
                               spellcheck="false"))
