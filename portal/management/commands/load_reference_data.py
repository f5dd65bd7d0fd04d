from django.core.management.base import BaseCommand
from django.db import transaction

from enterprises.loader import load_industries
from enterprises.models import Industry
from portal.regions.loader import load_regions
from portal.regions.models import DeclarationRegion, Region


class Command(BaseCommand):
    help = "载入（或更新）参考数据：行政区划（GB/T 2260）、37个申报地区、国民经济行业分类（GB/T 4754-2017）；可重复运行。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        regions, declaration_regions = load_regions(Region, DeclarationRegion)
        industries = load_industries(Industry)
        self.stdout.write(self.style.SUCCESS(
            f"行政区划 {regions} 条，申报地区 {declaration_regions} 个，国民经济行业 {industries} 条，已载入。"
        ))
