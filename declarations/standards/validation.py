"""Inputs the engine refuses at its edge (§ decision 6 of the exact-values rules).

Missing figures are never an error (they are reported as missing inputs); values that
cannot be true are: an award rank below 1, a negative count, a negative number of years.
``input_problems`` lists them by input path — the same paths as ``Missing.field`` — with
a Chinese message naming the field; ``Standard.evaluate`` raises ``InvalidInput`` with
them before scoring anything, so the declaration forms can show each one at its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from declarations.standards import rules
from declarations.standards.inputs import FIGURE_LABELS, YEAR_LABELS


class InvalidInput(ValueError):
    """Inputs that cannot be true; ``message_dict`` maps each input path to its messages.

    The shape is Django's ``ValidationError.message_dict`` (the engine itself does not
    import Django): a form adds each message to the field the path belongs to.
    """

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.message_dict: dict[str, list[str]] = {k: list(v) for k, v in errors.items()}
        super().__init__("；".join(m for ms in self.message_dict.values() for m in ms))


IP_LABELS = {
    "high_value_class1": "Ⅰ类高价值知识产权数量",
    "self_developed_class1": "自主研发的Ⅰ类知识产权数量",
    "class1": "Ⅰ类知识产权数量",
    "class2": "Ⅱ类知识产权数量",
    "class1_applied": "已应用并产生经济效益的Ⅰ类知识产权数量",
}
COUNTS = {  # top-level counts of the tier inputs
    "class1_own": "Ⅰ类知识产权数量（不含转入、权利人前三）",
    "digital_level": "数字化水平评测等级",
}
RANKS = {  # top-level ranks: 1 is the best
    "maker_china_rank": '"创客中国"全国企业组名次',
    "domestic_rank": "主导产品国内细分市场排名",
}
YEARS = {"niche_years": "从事特定细分市场年限"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def input_problems(inputs: Any) -> dict[str, list[str]]:
    """Every refused value of one declaration's inputs, by input path (empty when none)."""
    found: dict[str, list[str]] = {}

    def refuse(path: str, message: str) -> None:
        found.setdefault(path, []).append(message)

    def count(path: str, label: str, value: Any) -> None:
        if _is_number(value) and value < 0:
            refuse(path, f"{label}不能为负数（填写的是{value}）")

    def rank(path: str, label: str, value: Any) -> None:
        if _is_number(value) and value < 1:
            refuse(path, f"{label}应为1或以上的整数（填写的是{value}）")

    financials = getattr(inputs, "financials", None)
    if financials is not None:
        for year, year_label in YEAR_LABELS.items():
            figures = getattr(financials, year)
            for name in ("employees", "rd_staff"):
                count(f"financials.{year}.{name}", f"{year_label}{FIGURE_LABELS[name]}",
                      getattr(figures, name))
    ip = getattr(inputs, "ip", None)
    if ip is not None:
        for name, label in IP_LABELS.items():
            count(f"ip.{name}", label, getattr(ip, name))
    for name, label in COUNTS.items():
        count(name, label, getattr(inputs, name, None))
    for name, label in RANKS.items():
        rank(name, label, getattr(inputs, name, None))
    for number, award in enumerate(getattr(inputs, "awards", ()), start=1):
        rank(f"awards.{number - 1}.rank", f"第{number}项科技奖励的获奖单位排名", award.rank)
    for name, label in YEARS.items():
        years = rules.to_decimal(getattr(inputs, name, None))
        if years is not None and years < 0:
            refuse(name, f"{label}不能为负数（填写的是{rules.fmt_num(years)}）")
    return found


def check_inputs(inputs: Any) -> None:
    """Raise ``InvalidInput`` if ``input_problems`` finds anything."""
    problems = input_problems(inputs)
    if problems:
        raise InvalidInput(problems)
