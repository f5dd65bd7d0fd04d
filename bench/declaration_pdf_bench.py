"""Benchmark of the 申报书 PDF: `declarations.report.render_declaration_pdf` per tier.

Run from the project root:  python bench/declaration_pdf_bench.py [rounds]
Migrates a throw-away in-memory SQLite database (not timed), files one declaration of each
tier through the services — 创新型; 专精特新 with an assessment and three 特色化 indicators (the
longest 申报书); 小巨人 — then renders each 申报书: once cold (the first render in the process
loads WeasyPrint, Pango and the Noto CJK fonts) and `rounds` times warm, and reports the
cold time, the median (wall clock and CPU) and the worst of the warm rounds, the pages and
the size.
Exit status 1 when a warm median reaches 2 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402 — after the path insert

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

TARGET_SECONDS = 2.0
FEATURES = {"region": "广东省", "total_points": 15, "indicators": [
    {"key": "export", "name": "上年度出口额占营业收入比重", "kind": "number", "unit": "%",
     "max_points": 6, "higher_is_better": True,
     "bands": [{"threshold": "30", "points": 6}, {"threshold": "10", "points": 3}]},
    {"key": "chain", "name": "属于本省重点产业链", "kind": "choice", "max_points": 5,
     "choices": {"是": 5, "否": 0}},
    {"key": "energy", "name": "单位产值能耗（吨标煤/万元）", "kind": "number", "max_points": 4,
     "higher_is_better": False,
     "bands": [{"threshold": "0.1", "points": 4}, {"threshold": "0.3", "points": 2}]}]}


def file_declarations() -> dict[str, object]:
    """One filed declaration per tier, made the way the tests make them."""
    from common.tiers import Tier
    from declarations import services
    from enterprises.models import InfoUpdate
    from tests.assessment.conftest import submitted
    from tests.conftest import enterprise
    from tests.declarations.conftest import open_window, ready, specialized_title

    ip = {"high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4}
    awards = [{"level": "provincial", "rank": 2}, {"level": "national", "rank": 5}]
    answers = {
        Tier.INNOVATIVE: {"ip": ip, "innovation": {
            "strategic_emerging_product": True, "honors": ["high_tech", "ip_advantage"],
            "rd_institution": "provincial", "awards": awards}},
        Tier.SPECIALIZED: {"ip": ip, "specialization": {
            "niche_years": "10.0", "product_field": "key_link",
            "quality_items": ["quality_award", "qms_certified", "own_brand", "standards"]},
            "innovation": {"rd_institution": "provincial", "awards": awards, "maker_china_rank": 8},
            "features": {"export": "35.5", "chain": "是", "energy": "0.08"}},
        Tier.GIANT: {"ip": {**ip, "class1_applied": 2}, "specialization": {
            "niche_years": "12.0", "niche_market_share": "12.5", "key_field_breakthrough": True,
            "core_business_it_system": True, "management_certification": True,
            "own_brand": True}, "innovation": {"rd_institution": "provincial", "awards": awards,
                                                 "maker_china_rank": 8}},
    }
    filed = {}
    for seq, tier in enumerate(answers, start=1):
        account = enterprise(f"bench_{tier}", "440106", seq, f"广州基准测试{seq}号科技有限公司")
        company = ready(account)
        if tier == Tier.SPECIALIZED:
            submitted(company, level=3)
        if tier == Tier.GIANT:
            specialized_title(company)
            InfoUpdate.objects.create(enterprise=company, year=timezone.localdate().year,
                                      figures_year=timezone.localdate().year - 1,
                                      submitted_by=account, submitted_at=timezone.now())
        open_window("440000", tier, features=FEATURES if tier == Tier.SPECIALIZED else None)
        draft = services.declaration_start(enterprise=company, by=account, tier=tier)
        for section, data in answers[tier].items():
            services.declaration_save_section(declaration=draft, by=account, section=section,
                                              data=data)
        filed[tier] = services.declaration_submit(declaration=draft, by=account, pledge=True)
    return filed


def pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        info = subprocess.run(["pdfinfo", fh.name], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def timed(declaration: object) -> tuple[float, float, bytes]:
    """Wall-clock and CPU seconds of one render (CPU time hardly moves with the machine's load)."""
    from declarations.report import render_declaration_pdf

    started, cpu = time.perf_counter(), time.process_time()
    pdf = render_declaration_pdf(declaration)  # type: ignore[arg-type]
    return time.perf_counter() - started, time.process_time() - cpu, pdf


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    filed = file_declarations()
    failed = False
    print(f"申报书 PDF, {rounds} warm rounds per tier (target: median < {TARGET_SECONDS:.0f} s)")
    for tier, declaration in filed.items():
        cold, _cpu, pdf = timed(declaration)
        runs = [timed(declaration)[:2] for _ in range(rounds)]
        median = statistics.median(wall for wall, _ in runs)
        failed |= median >= TARGET_SECONDS
        print(f"  {tier:<12} cold {cold:5.2f} s   warm median {median:5.2f} s "
              f"(CPU {statistics.median(cpu for _, cpu in runs):4.2f} s), "
              f"worst {max(wall for wall, _ in runs):5.2f} s   "
              f"{pages(pdf)} pages, {len(pdf) / 1024:.0f} KB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
