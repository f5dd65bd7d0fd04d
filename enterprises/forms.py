"""Enterprise forms: validate and normalise; services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.urls import reverse_lazy

from common.formtools import DateField
from common.trees import TreeSelect
from common.uploads import validate_upload
from portal.regions.models import Region
from portal.regions.selectors import REGION_TREE

from .models import FIGURE_FIELDS, ChangeType, Enterprise, Industry, YearFigures
from .selectors import INDUSTRY_TREE, today

EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".zip")
# A zip of evidence holds what may be uploaded on its own, except another archive.
EVIDENCE_ZIP_MEMBER_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_MAX_FILES = 10


class RegionField(forms.CharField):
    """注册地: a county (or a city without counties), picked level by level or by search.

    Also read from a plain 6-digit code or the full name (“广东省 广州市 天河区”)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 120)
        kwargs.setdefault("widget", TreeSelect(
            REGION_TREE, endpoint=reverse_lazy("enterprises:options", args=[REGION_TREE.slug]),
            placeholder="输入区县名称搜索，如：天河区"))
        super().__init__(**kwargs)

    @staticmethod
    def _find(text: str) -> Region | None:
        if "\x00" in text:  # never a region, and PostgreSQL refuses NUL in a query
            return None
        return Region.objects.filter(code=text).first() or Region.objects.filter(full_name=text).first()

    def prepare_value(self, value: Any) -> Any:
        """The region's code, which the picker shows as its branch."""
        if isinstance(value, Region):
            return value.code
        if isinstance(value, int):
            return Region.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        if isinstance(value, str) and value and not REGION_TREE.path(value):
            region = self._find(value.strip())
            return region.code if region else value
        return value

    def clean(self, value: Any) -> Region | None:
        if isinstance(value, Region):
            return value
        if isinstance(value, int):  # a disabled field's initial value is the stored pk
            return Region.objects.filter(pk=value).first()
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        region = self._find(text)
        if region is None:
            raise forms.ValidationError("未找到该行政区划，请从列表中选择区县。")
        if not region.registrable:
            raise forms.ValidationError("注册地须为区县级行政区划（不能只选省或市）。")
        return region


class IndustryField(forms.CharField):
    """所属行业: a GB/T 4754-2017 code (大类 or finer), picked level by level or by search.

    Also read from a plain code, or a code followed by its name (“3311 金属结构制造”)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("widget", TreeSelect(
            INDUSTRY_TREE, endpoint=reverse_lazy("enterprises:options", args=[INDUSTRY_TREE.slug]),
            placeholder="输入行业代码或名称搜索，如：3311 或 金属结构"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        """The industry's code, which the picker shows as its branch."""
        if isinstance(value, Industry):
            return value.code
        if isinstance(value, int):
            return Industry.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        if isinstance(value, str) and value.split():
            return value.split()[0].upper()
        return value

    def clean(self, value: Any) -> Industry | None:
        if isinstance(value, Industry):
            return value
        if isinstance(value, int):
            return Industry.objects.filter(pk=value).first()
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        code = text.split()[0].upper()
        industry = Industry.objects.filter(code=code).first()
        if industry is None:
            raise forms.ValidationError("未找到该行业代码，请按《国民经济行业分类》（GB/T 4754-2017）选择。")
        if industry.level == Industry.Level.SECTION:
            raise forms.ValidationError("请至少选择到行业大类（两位数字代码），不能只选门类。")
        return industry


class ProfileForm(forms.ModelForm):
    region = RegionField(label="注册地（区县）", required=False,
                         help_text="注册地决定由哪一地区的主管部门审核。")
    industry = IndustryField(label="所属行业", required=False,
                             help_text="所属行业决定数字化水平评测使用的评测表（制造业、生产性服务业或其他行业）。")

    class Meta:
        model = Enterprise
        fields = ["name", "region", "address", "industry", "founded_on", "registered_capital",
                  "scale", "legal_representative", "contact_person", "contact_phone",
                  "contact_email", "main_product", "niche_market", "niche_since", "employees",
                  "rd_staff"]
        field_classes = {"founded_on": DateField, "niche_since": DateField}

    def __init__(self, *args: Any, annual_update: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = "与营业执照一致。"
        self.fields["registered_capital"].widget.attrs["min"] = "0"
        if annual_update:
            # Name and 注册地 of a recognised enterprise change only through a reported major change.
            for name in ("name", "region"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "如有变更，请通过【企业重大变更】报告。"

    def clean_founded_on(self) -> Any:
        value = self.cleaned_data.get("founded_on")
        if value and value > today():
            raise forms.ValidationError("成立日期不能晚于今天。")
        return value

    def clean_niche_since(self) -> Any:
        value = self.cleaned_data.get("niche_since")
        if value and value > today():
            raise forms.ValidationError("进入细分市场时间不能晚于今天。")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        employees, rd_staff = data.get("employees"), data.get("rd_staff")
        if employees is not None and rd_staff is not None and rd_staff > employees:
            self.add_error("rd_staff", "研发人员数不能超过职工总数。")
        founded, niche = data.get("founded_on"), data.get("niche_since")
        if founded and niche and niche < founded:
            self.add_error("niche_since", "进入细分市场时间不能早于成立日期。")
        return data


NON_NEGATIVE = [f for f in FIGURE_FIELDS if f != "net_profit"]  # 净利润 may be a loss


class FiguresForm(forms.ModelForm):
    """One year's figures in 万元 (two decimals)."""

    class Meta:
        model = YearFigures
        fields = FIGURE_FIELDS

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        self.year = year
        super().__init__(*args, prefix=f"y{year}", **kwargs)
        for name in NON_NEGATIVE:
            self.fields[name].validators.append(
                MinValueValidator(Decimal(0), message="金额不能为负数。")
            )
            self.fields[name].widget.attrs["min"] = "0"
        for field in self.fields.values():
            field.widget.attrs["step"] = "0.01"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        revenue, main = data.get("operating_revenue"), data.get("main_business_revenue")
        if revenue is not None and main is not None and main > revenue:
            self.add_error("main_business_revenue", "主营业务收入不能大于营业收入。")
        assets, liabilities = data.get("total_assets"), data.get("total_liabilities")
        if assets is not None and liabilities is not None and assets == 0 and liabilities > 0:
            self.add_error("total_assets", "资产总额为0时无法计算资产负债率，请核对。")
        rd, revenue = data.get("rd_expense"), data.get("operating_revenue")
        if rd is not None and revenue is not None and rd > revenue > 0:
            self.add_error("rd_expense", "研发费用大于营业收入，请核对。")
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in FIGURE_FIELDS}


def figure_forms(enterprise: Enterprise, data: Any = None, *, years: list[int]) -> list[FiguresForm]:
    existing = {f.year: f for f in enterprise.figures.all()} if enterprise.pk else {}
    return [FiguresForm(data, year=year, instance=existing.get(year) or YearFigures(year=year))
            for year in years]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ChangeForm(forms.Form):
    change_type = forms.ChoiceField(label="变更类型", choices=[("", "请选择")] + ChangeType.choices)
    changed_on = DateField(label="变更日期")
    before = forms.CharField(label="变更前情况", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
    after = forms.CharField(label="变更后情况", widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=2000)
    new_name = forms.CharField(label="变更后企业名称（更名时填写）", max_length=200, required=False)
    new_region = RegionField(label="变更后注册地（跨省迁移/注册地变更时填写）", required=False)
    reason = forms.CharField(label="变更原因", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
    files = MultipleFileField(
        label="证明材料", required=False,
        help_text=f"PDF、JPG、PNG 或 ZIP（内含 PDF、JPG、PNG），每个不超过20 MB，"
                  f"最多{EVIDENCE_MAX_FILES}个。",
    )

    def clean_changed_on(self) -> Any:
        value = self.cleaned_data["changed_on"]
        if value > today():
            raise forms.ValidationError("变更日期不能晚于今天。")
        return value

    def clean_files(self) -> list:
        files = self.cleaned_data.get("files") or []
        if len(files) > EVIDENCE_MAX_FILES:
            raise forms.ValidationError(f"一次最多上传{EVIDENCE_MAX_FILES}个文件。")
        errors = []
        for upload in files:
            try:
                validate_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES,
                                zip_members=EVIDENCE_ZIP_MEMBER_TYPES)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("change_type")
        if kind == ChangeType.RENAME and not (data.get("new_name") or "").strip():
            self.add_error("new_name", "更名须填写变更后企业名称。")
        if kind == ChangeType.RELOCATION and not data.get("new_region"):
            self.add_error("new_region", "跨省迁移/注册地变更须填写变更后的区县级注册地。")
        return data
