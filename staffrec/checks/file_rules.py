"""File-level rules: name, identity against stamp and registry, kind, version, rows, sign-off."""

from ..errors import FileNameError
from ..findings import ERROR, WARNING, finding_type
from ..identity import TemplateFileName
from ..layout import TEMPLATE_VERSION, header_signature
from ..template import XLS_MAX_RECORDS
from ..values import canonical_date

_KEEP_NAME = "下发的模板文件名不能修改，请改回“学校标识码_学校名称_模板名称.xls”。"
NAME_REASONS = (
    "name_empty", "extension", "parts", "id_format", "id_full_width", "id_category_unknown",
    "id_category_not_collected", "id_higher_ed", "school_name_empty", "template_mismatch",
    "template_unknown", "copy_suffix",
)
NAME_TYPES = {
    reason: finding_type(f"name.{reason}", ERROR, "{detail}", _KEEP_NAME) for reason in NAME_REASONS
}
ID_NAME_STAMP = finding_type(
    "identity.name_vs_stamp",
    ERROR,
    "文件名中的学校（{name_id} {name_school}）与模板内的学校标识（{stamp_id} {stamp_school}）不一致：",
    "文件被改名，或用了其他学校的模板。请使用本校下发的模板，不要修改文件名。",
)
ID_OTHER_PROVINCE = finding_type(
    "identity.other_province",
    ERROR,
    "学校标识码 {school_id} 的省份码 {province} 不是{region}（{expected}）。",
    "本系统只采集{region}的学校，请确认使用的是本校下发的模板。",
)
ID_NOT_IN_REGISTRY = finding_type(
    "identity.not_in_registry",
    ERROR,
    "学校标识码 {school_id} 不在学校名单中。",
    "请确认使用的是教育部预置的本校模板；如学校确实漏列，请联系上级教育行政部门补录。",
)
ID_NAME_VS_REGISTRY = finding_type(
    "identity.name_vs_registry",
    ERROR,
    "学校名称“{school_name}”与学校名单中的“{registry_name}”不一致（学校标识码 {school_id}）。",
    "学校名称以预置名单为准，请使用下发的本校模板，不要修改学校名称。",
)
KIND_VS_SCHOOL = finding_type(
    "identity.kind_vs_school",
    ERROR,
    "本校（{category}）应使用“{expected}”，此文件却是“{actual}”。",
    "模板不能混用，请使用本校下发的模板重新填写。",
)
STAMP_VERSION = finding_type(
    "stamp.version",
    WARNING,
    "模板版本为 {version}，当前版本为 {current}。",
    "请下载当前版本的模板，把数据复制过去后再报送。",
)
STAMP_HEADER = finding_type(
    "stamp.header_signature",
    WARNING,
    "模板的指标列与当前版本不同。",
    "请下载当前版本的模板，把数据复制过去后再报送。",
)
NO_RECORDS = finding_type(
    "file.no_records", ERROR, "模板中没有教职工数据。", "请从表头下一行起，每人一行填写后再报送。"
)
TOO_MANY_ROWS = finding_type(
    "file.too_many_rows",
    ERROR,
    "共有 {count} 行数据，超过 .xls 工作表最多 {limit} 行的限制。",
    "请确认没有重复粘贴；一所学校的数据须在一个 .xls 文件中。",
)
SIGNOFF_MISSING = finding_type(
    "signoff.missing",
    ERROR,
    "表头上方的“{label}”未填写。",
    "数据录入和校验须分别由专人负责，请填写{label}姓名。",
)
SIGNOFF_SAME = finding_type(
    "signoff.same_person",
    ERROR,
    "录入人与校验人是同一人（{value}）。",
    "按方案要求，数据录入和校验人员须分设，请由另一人校验并填写校验人姓名。",
)
SIGNOFF_DATE = finding_type(
    "signoff.date_invalid",
    WARNING,
    "填报日期“{value}”不是有效日期或晚于今天。",
    "请写作 YYYY-MM-DD，如 2026-09-01。",
)


def check_name(context):
    """The file name follows `<学校标识码>_<学校名称>_<模板名称>.xls`."""
    if not context.file:
        return
    try:
        TemplateFileName.parse(context.file, context.catalogue)
    except FileNameError as exc:
        yield NAME_TYPES[exc.reason](file=context.file, value=context.file, detail=str(exc))


def _parsed_name(context):
    try:
        return TemplateFileName.parse(context.file, context.catalogue) if context.file else None
    except FileNameError:
        return None


def check_identity(context):
    """The school in the name, the stamp and the registry are one and the same."""
    template, name = context.template, _parsed_name(context)
    stamp = template.stamp or {}
    if name is not None and stamp.get("school_id") and (
        str(name.school_id) != stamp["school_id"] or name.school_name != stamp.get("school_name")
    ):
        yield ID_NAME_STAMP(
            file=context.file,
            name_id=name.school_id,
            name_school=name.school_name,
            stamp_id=stamp["school_id"],
            stamp_school=stamp.get("school_name", ""),
        )
    if template.school_id is None:
        return
    province = context.catalogue.regions.province
    if template.school_id.province != province.code[:2]:
        yield ID_OTHER_PROVINCE(
            file=context.file,
            value=str(template.school_id),
            school_id=template.school_id,
            province=template.school_id.province,
            region=province.name,
            expected=province.code[:2],
        )
    if context.registry is None:
        return
    school = context.school
    if school is None:
        yield ID_NOT_IN_REGISTRY(file=context.file, value=str(template.school_id), school_id=template.school_id)
    elif template.school_name != school.name:
        yield ID_NAME_VS_REGISTRY(
            file=context.file,
            value=template.school_name,
            school_name=template.school_name,
            registry_name=school.name,
            school_id=school.id,
        )


def check_kind(context):
    """The template kind is the one the school's category is collected with."""
    template = context.template
    if template.school_id is None or template.kind is None:
        return
    expected = template.school_id.kind(context.catalogue)
    if expected is not None and expected != template.kind:
        category = context.catalogue.table("school_category").get(template.school_id.category)
        yield KIND_VS_SCHOOL(
            file=context.file,
            category=category.label,
            expected=expected.template_name,
            actual=template.kind.template_name,
        )


def check_version(context):
    """The stamp names the current template version and columns."""
    stamp = context.template.stamp
    if not stamp:
        return
    if stamp.get("version") != TEMPLATE_VERSION:
        yield STAMP_VERSION(file=context.file, value=stamp.get("version"), version=stamp.get("version"), current=TEMPLATE_VERSION)
    elif stamp.get("header_signature") != header_signature(context.kind):
        yield STAMP_HEADER(file=context.file)


def check_rows(context):
    """The file holds records, and no more than an .xls sheet can."""
    count = len(context.template.records)
    if count == 0:
        yield NO_RECORDS(file=context.file)
    elif count > XLS_MAX_RECORDS:
        yield TOO_MANY_ROWS(file=context.file, count=count, limit=XLS_MAX_RECORDS)


def check_signoff(context):
    """录入人 and 校验人 are filled in and are two different people; 填报日期 is a real past date."""
    signoff = context.template.signoff
    entered, checked = signoff.get("entered_by", "").strip(), signoff.get("checked_by", "").strip()
    for value, label in ((entered, "录入人"), (checked, "校验人")):
        if not value:
            yield SIGNOFF_MISSING(file=context.file, column=label, label=label)
    if entered and entered == checked:
        yield SIGNOFF_SAME(file=context.file, column="校验人", value=checked)
    filled_on = signoff.get("filled_on", "").strip()
    if filled_on:
        date = canonical_date(filled_on)
        if date is None or date > context.today.isoformat():
            yield SIGNOFF_DATE(file=context.file, column="填报日期", value=filled_on)


FILE_RULES = (check_name, check_identity, check_kind, check_version, check_rows, check_signoff)
