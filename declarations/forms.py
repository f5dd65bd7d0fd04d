"""The declaration form, one Django form per section of `building.spec(tier, version)`.

Forms validate and normalise (never a negative amount or count, a rank of at least 1, Chinese
messages at the field); `values()` gives the section's JSON-safe data for
`services.declaration_save_section` (Decimals as strings, counts as ints, yes/no as booleans,
choices as codes, several choices as lists). They never save.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from declarations.standards.features import FeatureConfig, FeatureKind

from . import building
from .building import COUNT_FIGURES, FIGURES, Field
from .models import Declaration

AWARD_ROWS = 3  # the direct condition needs one qualifying award; three rows leave room
MAX_DIGITS = 14

NUMBER_ERRORS = {
    "invalid": "请输入数字。",
    "max_digits": "数值过大，请核对。",
    "max_whole_digits": "数值过大，请核对。",
    "max_decimal_places": "最多保留%(max)s位小数。",
    "max_value": "不能大于%(limit_value)s。",
}
MONEY_ERRORS = {**NUMBER_ERRORS, "min_value": "金额不能为负数。"}
COUNT_ERRORS = {"invalid": "请输入整数。", "min_value": "数量不能为负数。",
                "max_value": "数值过大，请核对。"}
RANK_ERRORS = {"invalid": "请输入整数名次。", "min_value": "名次应为不小于1的整数。",
               "max_value": "名次过大，请核对。"}
CHOICE_ERRORS = {"invalid_choice": "请从列表中选择。"}

YES_NO = (("", "请选择"), ("yes", "是"), ("no", "否"))


def _text_input(mode: str = "decimal") -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": mode, "class": "form-control form-control-sm",
                                  "autocomplete": "off"})


def money_field(label: str, *, negative: bool = False, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=MAX_DIGITS, decimal_places=2,
        min_value=None if negative else Decimal(0), widget=_text_input(),
        error_messages=NUMBER_ERRORS if negative else MONEY_ERRORS, help_text=help_text)


def count_field(label: str, *, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=10**9,
                              widget=_text_input("numeric"), error_messages=COUNT_ERRORS,
                              help_text=help_text)


def _decimal(value: Decimal | None, places: int | None = None) -> str | None:
    """A cleaned Decimal as the string stored in form_data (None stays None)."""
    if value is None:
        return None
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return str(value)


class SectionForm(forms.Form):
    """One section of the spec (ip, specialization, innovation …), prefixed by its name."""

    def __init__(self, data: Any = None, *, section: str, fields: tuple[Field, ...],
                 stored: dict[str, Any] | None = None) -> None:
        self.section, self.spec_fields = section, fields
        super().__init__(data, prefix=section, initial=self._initial(stored or {}))
        for spec in fields:
            if spec.kind == "awards":
                for row in range(AWARD_ROWS):
                    self.fields[f"awards_{row}_level"] = forms.ChoiceField(
                        label=f"第{row + 1}项 奖励级别", required=False,
                        choices=(("", "（无）"), *spec.choices), error_messages=CHOICE_ERRORS,
                        widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
                    self.fields[f"awards_{row}_rank"] = forms.IntegerField(
                        label=f"第{row + 1}项 本企业排名", required=False, min_value=1,
                        max_value=1000, error_messages=RANK_ERRORS, widget=_text_input("numeric"))
            else:
                self.fields[spec.name] = self._field(spec)

    @staticmethod
    def _field(spec: Field) -> forms.Field:
        label, help_text = spec.label, spec.help
        if spec.kind == "money":
            return money_field(label, help_text=help_text)
        if spec.kind == "int":
            return count_field(label, help_text=help_text)
        if spec.kind in ("decimal", "percent"):
            return forms.DecimalField(
                label=label, required=False, max_digits=8, decimal_places=2, min_value=Decimal(0),
                max_value=Decimal(100) if spec.kind == "percent" else None,
                widget=_text_input(), help_text=help_text,
                error_messages={**NUMBER_ERRORS, "min_value": "不能为负数。",
                                "max_value": "占比不能大于100%。"})
        if spec.kind == "rank":
            return forms.IntegerField(label=label, required=False, min_value=1, max_value=10000,
                                      widget=_text_input("numeric"), error_messages=RANK_ERRORS,
                                      help_text=help_text)
        if spec.kind == "yesno":
            return forms.ChoiceField(label=label, required=False, choices=YES_NO,
                                     error_messages=CHOICE_ERRORS, help_text=help_text,
                                     widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
        if spec.kind == "choice":
            return forms.ChoiceField(label=label, required=False,
                                     choices=(("", "请选择"), *spec.choices),
                                     error_messages=CHOICE_ERRORS, help_text=help_text,
                                     widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
        if spec.kind == "choices":
            return forms.MultipleChoiceField(
                label=label, required=False, choices=spec.choices, help_text=help_text,
                error_messages={"invalid_choice": "请从列表中选择。", "invalid_list": "请从列表中选择。"},
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
        raise ValueError(f"unknown field kind {spec.kind!r}")

    def _initial(self, stored: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for spec in self.spec_fields:
            value = stored.get(spec.name)
            if spec.kind == "awards":
                for row, award in enumerate((value or [])[:AWARD_ROWS]):
                    initial[f"awards_{row}_level"] = award.get("level") or ""
                    initial[f"awards_{row}_rank"] = award.get("rank")
            elif spec.kind == "yesno":
                initial[spec.name] = {True: "yes", False: "no"}.get(value, "")
            elif value is not None:
                initial[spec.name] = value
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for row in range(AWARD_ROWS):
            level, rank = f"awards_{row}_level", f"awards_{row}_rank"
            if level in self.fields and not data.get(level) and data.get(rank) is not None:
                self.add_error(level, "填写了排名，请选择奖励级别。")
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned section as JSON-safe data (call after is_valid())."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for spec in self.spec_fields:
            if spec.kind == "awards":
                out[spec.name] = [
                    {"level": data[f"awards_{row}_level"], "rank": data.get(f"awards_{row}_rank")}
                    for row in range(AWARD_ROWS) if data.get(f"awards_{row}_level")]
            elif spec.kind == "yesno":
                out[spec.name] = {"yes": True, "no": False}.get(data.get(spec.name) or "")
            elif spec.kind == "choice":
                out[spec.name] = data.get(spec.name) or None
            elif spec.kind == "choices":
                out[spec.name] = list(data.get(spec.name) or [])
            elif spec.kind == "money":
                out[spec.name] = _decimal(data.get(spec.name), 2)
            elif spec.kind in ("decimal", "percent"):
                out[spec.name] = _decimal(data.get(spec.name))
            else:  # int, rank
                out[spec.name] = data.get(spec.name)
        return out

    def award_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"awards_{row}_level"], self[f"awards_{row}_rank"])
                for row in range(AWARD_ROWS) if f"awards_{row}_level" in self.fields]


class FiguresForm(forms.Form):
    """经营数据: FIGURES × the three years N−1, N−2, N−3, pre-filled from the profile."""

    section = "figures"

    def __init__(self, data: Any = None, *, years: tuple[int, ...],
                 stored: dict[str, Any] | None = None) -> None:
        self.years = years
        stored = stored or {}
        initial = {f"{name}_{year}": value for year in years
                   for name, value in (stored.get(str(year)) or {}).items() if value is not None}
        super().__init__(data, prefix="figures", initial=initial)
        for year in years:
            for name, label in FIGURES:
                full = f"{year}年{label}"
                if name in COUNT_FIGURES:
                    self.fields[f"{name}_{year}"] = count_field(full)
                else:
                    self.fields[f"{name}_{year}"] = money_field(full, negative=name == "net_profit")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for year in self.years:
            def get(name: str, year: int = year) -> Any:
                return data.get(f"{name}_{year}")

            revenue, main = get("operating_revenue"), get("main_business_revenue")
            if revenue is not None and main is not None and main > revenue:
                self.add_error(f"main_business_revenue_{year}", "主营业务收入不能大于营业收入。")
            staff, rd_staff = get("employees"), get("rd_staff")
            if staff is not None and rd_staff is not None and rd_staff > staff:
                self.add_error(f"rd_staff_{year}", "研发人员数不能大于职工总数。")
            rd, revenue = get("rd_expense"), get("operating_revenue")
            if rd is not None and revenue is not None and rd > revenue > 0:
                self.add_error(f"rd_expense_{year}", "研发费用大于营业收入，请核对。")
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {str(year): {name: (data.get(f"{name}_{year}") if name in COUNT_FIGURES
                                   else _decimal(data.get(f"{name}_{year}"), 2))
                            for name, _label in FIGURES}
                for year in self.years}

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """One row per figure, one cell per year (newest first), for the table."""
        return [(label, [self[f"{name}_{year}"] for year in self.years]) for name, label in FIGURES]


def feature_config(declaration: Declaration) -> FeatureConfig | None:
    """The window's 特色化 configuration, None when absent or malformed (scored 0 with the
    reason by the engine; the form then has nothing to ask)."""
    raw = declaration.features
    if not raw:
        return None
    try:
        return FeatureConfig.from_dict(raw)
    except ValueError:
        return None


class FeaturesForm(forms.Form):
    """特色化指标: the 1–3 indicators the declaration region configured for its window."""

    section = "features"

    def __init__(self, data: Any = None, *, config: FeatureConfig | None,
                 stored: dict[str, Any] | None = None) -> None:
        self.config = config
        stored = stored or {}
        items = config.indicators if config is not None else ()
        super().__init__(data, prefix="features",
                         initial={i.key: stored[i.key] for i in items if stored.get(i.key) is not None})
        for item in items:
            label = f"{item.name}（{item.unit}）" if item.unit else item.name
            if item.kind is FeatureKind.CHOICE:
                self.fields[item.key] = forms.ChoiceField(
                    label=label, required=False, error_messages=CHOICE_ERRORS,
                    choices=(("", "请选择"), *((k, k) for k in item.choices)),
                    help_text=f"满分{item.max_points}分",
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            else:
                # Province-defined figures may fall (a reduction in energy use): no lower bound.
                self.fields[item.key] = forms.DecimalField(
                    label=label, required=False, max_digits=MAX_DIGITS, decimal_places=4,
                    widget=_text_input(), error_messages=NUMBER_ERRORS,
                    help_text=f"满分{item.max_points}分")

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.cleaned_data.items():
            out[key] = _decimal(value) if isinstance(value, Decimal) else (value or None)
        return out


AnySectionForm = SectionForm | FiguresForm | FeaturesForm


def section_form(declaration: Declaration, section: str, data: Any = None) -> AnySectionForm:
    """The form of one section of `declaration` (bound when `data` is given)."""
    stored = declaration.form_data.get(section)
    if section == "figures":
        return FiguresForm(data, years=building.figure_years(declaration.year), stored=stored)
    if section == "features":
        return FeaturesForm(data, config=feature_config(declaration), stored=stored)
    fields = building.spec(declaration.tier, declaration.standard_version)[section]
    return SectionForm(data, section=section, fields=fields, stored=stored)


def section_forms(declaration: Declaration) -> list[AnySectionForm]:
    return [section_form(declaration, name)
            for name in building.sections(declaration.tier, declaration.standard_version)]


def errors_by_field(form: forms.Form) -> dict[str, list[str]]:
    """The form's errors keyed by the inputs' HTML names ("__all__" for the whole section)."""
    return {(form.add_prefix(name) if name != NON_FIELD_ERRORS else "__all__"): list(errors)
            for name, errors in form.errors.items()}


def mark_invalid(form: forms.Form) -> None:
    """Add Bootstrap's is-invalid to the inputs with errors (after is_valid())."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class PledgeForm(forms.Form):
    pledge = forms.BooleanField(
        label="本企业承诺：所填报的信息及提交的佐证材料真实、准确、完整，如有虚假，愿承担相应责任。",
        required=False)
