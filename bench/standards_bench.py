"""Benchmark of the standards engine: 100 000 synthetic declarations, three tiers, one process.

Run from the project root:  python bench/standards_bench.py [count]
Prints the mean time per declaration in microseconds, per tier and overall.  Generation of
the inputs is not timed; ``evaluate`` is (the ``to_dict`` snapshot is timed separately).
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from declarations.standards import (  # noqa: E402 — after the path insert
    Award,
    AwardLevel,
    BasicEligibility,
    FeatureBand,
    FeatureConfig,
    FeatureIndicator,
    FeatureKind,
    Financials,
    GiantInput,
    Honor,
    InnovativeInput,
    IpCounts,
    QualityItem,
    RdInstitutionLevel,
    SpecializedInput,
    SpecializedProductField,
    YearFigures,
    get_standard,
)

SEED = 20220601
COUNT = 100_000
TIERS = ("innovative", "specialized", "giant")
FEATURES = FeatureConfig("基准省", (
    FeatureIndicator("export", "上年度出口额占营业收入比重", 10, unit="%",
                     bands=(FeatureBand(Decimal(30), 10), FeatureBand(Decimal(10), 5))),
    FeatureIndicator("chain", "属于本省重点产业链", 5, kind=FeatureKind.CHOICE,
                     choices={"是": 5, "否": 0}),
))


def money(rng: random.Random, low: int, high: int) -> Decimal | None:
    if rng.random() < 0.02:  # a few holes: missing figures must cost nothing extra
        return None
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def financials(rng: random.Random) -> Financials:
    revenue = rng.randint(500, 40000)
    years = []
    for _ in range(3):
        revenue = max(100, int(revenue * rng.uniform(0.8, 1.1)))
        years.append(YearFigures(
            operating_revenue=money(rng, revenue, revenue),
            main_business_revenue=money(rng, revenue // 2, revenue),
            rd_expense=money(rng, 0, revenue // 8),
            net_profit=money(rng, -revenue // 10, revenue // 5),
            total_assets=money(rng, revenue, revenue * 2),
            total_liabilities=money(rng, 0, revenue * 2),
            new_equity_financing=money(rng, 0, 3000),
            employees=rng.randint(20, 1000),
            rd_staff=rng.randint(0, 200),
        ))
    return Financials(*years)


def flag(rng: random.Random) -> bool | None:
    return rng.choice((True, True, True, False, None))


def ip(rng: random.Random) -> IpCounts:
    return IpCounts(*(rng.randint(0, 3) for _ in range(5)))


def make(tier: str, rng: random.Random) -> object:
    eligibility = BasicEligibility(flag(rng), flag(rng), flag(rng), flag(rng))
    awards = tuple(Award(rng.choice(list(AwardLevel)), rng.randint(1, 8))
                   for _ in range(rng.randint(0, 1)))
    level = rng.choice(list(RdInstitutionLevel))
    if tier == "innovative":
        return InnovativeInput(
            financials(rng), ip(rng), flag(rng),
            frozenset(rng.sample(list(Honor), rng.randint(0, 1))), awards, level, eligibility)
    if tier == "specialized":
        return SpecializedInput(
            financials(rng), ip(rng), Decimal(rng.randint(0, 20)),
            rng.choice(list(SpecializedProductField)), rng.randint(0, 4),
            frozenset(rng.sample(list(QualityItem), rng.randint(0, 4))), level, awards,
            rng.choice((None, rng.randint(1, 1000))), FEATURES,
            {"export": str(rng.randint(0, 50)), "chain": rng.choice(("是", "否"))},
            eligibility)
    return GiantInput(
        financials(rng), ip(rng), flag(rng), Decimal(rng.randint(0, 15)), flag(rng), flag(rng),
        flag(rng), flag(rng), Decimal(rng.randint(0, 40)), flag(rng), flag(rng), level, awards,
        rng.choice((None, rng.randint(1, 200))), flag(rng), flag(rng), eligibility)


def main(count: int = COUNT) -> None:
    rng = random.Random(SEED)  # noqa: S311 — reproducible test data, not security
    batch = [(tier, make(tier, rng)) for tier in (rng.choice(TIERS) for _ in range(count))]
    standards = {tier: get_standard("2022", tier) for tier in TIERS}
    spent: dict[str, float] = defaultdict(float)
    seen: dict[str, int] = defaultdict(int)
    verdicts: dict[str, int] = defaultdict(int)
    results = []
    for tier, inputs in batch:
        started = time.perf_counter()
        result = standards[tier].evaluate(inputs)
        spent[tier] += time.perf_counter() - started
        seen[tier] += 1
        verdicts[result.verdict.value] += 1
        if len(results) < 10_000:
            results.append(result)
    started = time.perf_counter()
    for result in results:
        result.to_dict()
    snapshot = (time.perf_counter() - started) / len(results)

    print(f"standards engine benchmark: {count} declarations, seed {SEED}, "
          f"Python {sys.version.split()[0]}")
    for tier in TIERS:
        print(f"  {tier:<12} {seen[tier]:>7} declarations  "
              f"{spent[tier] / seen[tier] * 1e6:8.1f} µs/declaration")
    total = sum(spent.values())
    print(f"  {'overall':<12} {count:>7} declarations  {total / count * 1e6:8.1f} µs/declaration"
          f"  ({total:.2f} s)")
    print(f"  to_dict snapshot: {snapshot * 1e6:.1f} µs/result (first {len(results)})")
    print("  verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else COUNT)
