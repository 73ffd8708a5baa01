"""School identity (学校标识码) and the template file name built from it."""

import re
from pathlib import PurePath, PureWindowsPath

import attrs

from .catalogue import catalogue as default_catalogue
from .errors import FileNameError, SchoolIdError
from .text import fold

HIGHER_ED_KIND = "高校"
EXTENSIONS = (".xls", ".xlsx")
# What browsers and Windows Explorer append to a copied or re-downloaded file.
_COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|\s*（\d+）|\s*-\s*副本(\s*\(\d+\))?|\s*-\s*[Cc]opy)$")


@attrs.frozen
class SchoolId:
    """A 10-digit 学校标识码: category (2), province (2), sequence (6)."""

    category: str
    province: str
    sequence: str

    def __str__(self):
        return f"{self.category}{self.province}{self.sequence}"

    @property
    def code(self):
        """The 10-digit text."""
        return str(self)

    @property
    def national_code(self):
        """The 5-digit national school code a higher-education id carries, else None."""
        return self.sequence[1:] if self.sequence.startswith("0") else None

    def kind(self, catalogue=None):
        """Return the TemplateKind this school's category is collected with, or None."""
        return (catalogue or default_catalogue()).kind_of_category(self.category)

    @classmethod
    def parse(cls, text, catalogue=None):
        """Parse and check a 学校标识码; raise SchoolIdError with a distinct reason per fault."""
        catalogue = catalogue or default_catalogue()
        text = str(text).strip()
        if fold(text) != text and re.fullmatch(r"\d{10}", fold(text)):
            raise SchoolIdError("id_full_width", f"学校标识码“{text}”含全角数字，请改为半角数字。")
        if not re.fullmatch(r"\d{10}", text):
            raise SchoolIdError("id_format", f"学校标识码应为10位数字，“{text}”不是。")
        school_id = cls(text[:2], text[2:4], text[4:])
        category = catalogue.table("school_category").get(school_id.category)
        if category is None:
            raise SchoolIdError(
                "id_category_unknown",
                f"学校标识码“{text}”前两位 {school_id.category} 不是已知的学校类别码。",
            )
        kind = catalogue.kind_of_category(school_id.category)
        if kind is None:
            raise SchoolIdError(
                "id_category_not_collected",
                f"学校类别 {category.label} 的学校此次不采集教职工信息（学校标识码“{text}”）。",
            )
        if kind.name == HIGHER_ED_KIND and school_id.national_code is None:
            raise SchoolIdError(
                "id_higher_ed",
                f"高校的学校标识码第5位应为0、后5位为全国高校代码，“{text}”不符合。",
            )
        return school_id


@attrs.frozen
class TemplateFileName:
    """The parts of `<学校标识码>_<学校名称>_<模板名称>.xls`."""

    school_id: SchoolId
    school_name: str
    template_name: str
    extension: str = ".xls"

    def __str__(self):
        return f"{self.school_id}_{self.school_name}_{self.template_name}{self.extension}"

    @classmethod
    def for_school(cls, school_id, school_name, kind, extension=".xls"):
        """Build the correct file name of a school's template of `kind`."""
        return cls(school_id, school_name, kind.template_name, extension)

    @classmethod
    def parse(cls, name, catalogue=None):
        """Parse a file name (a path is reduced to its last part); raise FileNameError when wrong."""
        catalogue = catalogue or default_catalogue()
        name = PureWindowsPath(PurePath(str(name)).name).name.strip()
        if not name:
            raise FileNameError("name_empty", "文件名为空。")
        stem, dot, ext = name.rpartition(".")
        extension = f".{ext.lower()}" if dot else ""
        if not dot or extension not in EXTENSIONS:
            shown = extension or "（无扩展名）"
            raise FileNameError(
                "extension", f"文件“{name}”的扩展名是 {shown}，采集模板应为 .xls 文件。"
            )
        parts = stem.split("_")
        if len(parts) < 3:
            raise FileNameError(
                "parts",
                f"文件名“{name}”应由 学校标识码_学校名称_模板名称 三部分组成，以“_”分隔，现缺少部分内容。",
            )
        id_text, template_name = parts[0].strip(), parts[-1].strip()
        school_name = "_".join(parts[1:-1]).strip()
        try:
            school_id = SchoolId.parse(id_text, catalogue)
        except SchoolIdError as exc:
            raise FileNameError(exc.reason, f"文件名“{name}”有误：{exc}") from exc
        if not school_name:
            raise FileNameError("school_name_empty", f"文件名“{name}”缺少学校名称。")
        kind = school_id.kind(catalogue)
        if template_name != kind.template_name:
            raise _template_name_error(name, template_name, kind, catalogue)
        return cls(school_id, school_name, template_name, extension)


def _template_name_error(name, template_name, kind, catalogue):
    """Explain why the 模板名称 part of a file name is wrong."""
    bare = _COPY_SUFFIX.sub("", template_name)
    if bare != template_name and bare == kind.template_name:
        return FileNameError(
            "copy_suffix",
            f"文件名“{name}”末尾多了“{template_name[len(bare):].strip()}”（复制或重复下载时产生），"
            f"请改回“{kind.template_name}”，不要修改模板文件名。",
        )
    other = catalogue.kind_by_template_name(template_name)
    if other is not None:
        return FileNameError(
            "template_mismatch",
            f"文件名“{name}”中的模板“{template_name}”与学校类别不符：该校应使用“{kind.template_name}”，模板不能混用。",
        )
    return FileNameError(
        "template_unknown",
        f"文件名“{name}”中的“{template_name}”不是模板名称，应为“{kind.template_name}”。",
    )
