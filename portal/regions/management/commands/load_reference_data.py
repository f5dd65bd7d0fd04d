from django.core.management.base import BaseCommand
from django.db import transaction

from portal.regions.loader import load_regions
from portal.regions.models import DeclarationRegion, Region


class Command(BaseCommand):
    help = "载入（或更新）行政区划（GB/T 2260）与37个申报地区；可重复运行。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        regions, declaration_regions = load_regions(Region, DeclarationRegion)
        self.stdout.write(
            self.style.SUCCESS(f"行政区划 {regions} 条，申报地区 {declaration_regions} 个，已载入。")
        )
