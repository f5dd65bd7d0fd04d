"""The three tiers of domain.md §2.1, defined once for the models, the engine and the URLs."""

from __future__ import annotations

from django.db import models


class Tier(models.TextChoices):
    """The three tiers; the values are the URL slugs of design.md."""

    INNOVATIVE = "innovative", "创新型中小企业"
    SPECIALIZED = "specialized", "专精特新中小企业"
    GIANT = "giant", "专精特新“小巨人”企业"
