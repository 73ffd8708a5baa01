"""The school registry: every preset school with its id, name, category, county and ownership."""

import csv
import io
from pathlib import Path

import attrs

from .catalogue import catalogue as default_catalogue
from .errors import RegistryError, SchoolIdError
from .files import atomic_write
from .identity import SchoolId, TemplateFileName

HEADER = ("学校标识码", "学校名称", "学校类别", "所在旗县代码", "办学性质")
PRIVATE = "2"


@attrs.frozen
class School:
    """One preset school of the registry."""

    id: SchoolId
    name: str
    category: str
    county: str
    ownership: str

    @property
    def is_private(self):
        """Tell whether the school is 民办."""
        return self.ownership == PRIVATE

    def kind(self, catalogue=None):
        """Return the TemplateKind the school fills."""
        return self.id.kind(catalogue)

    def file_name(self, extension=".xls", catalogue=None):
        """Return the correct template file name of this school."""
        return str(TemplateFileName.for_school(self.id, self.name, self.kind(catalogue), extension))


class Registry:
    """The preset schools of one region, looked up by 学校标识码."""

    def __init__(self, schools, regions):
        self.schools = tuple(schools)
        self.regions = regions
        self._by_id = {str(s.id): s for s in self.schools}

    def __iter__(self):
        return iter(self.schools)

    def __len__(self):
        return len(self.schools)

    def __contains__(self, school_id):
        return str(school_id) in self._by_id

    def get(self, school_id):
        """Return the school with this id (text or SchoolId), or None."""
        return self._by_id.get(str(school_id))

    def in_county(self, county_code):
        """Return the schools of one county."""
        return tuple(s for s in self.schools if s.county == county_code)

    def in_city(self, city_code):
        """Return the schools whose county belongs to one city."""
        counties = {c.code for c in self.regions.counties(city_code)}
        return tuple(s for s in self.schools if s.county in counties)

    def of_kind(self, kind_name, catalogue=None):
        """Return the schools that fill templates of one kind."""
        return tuple(s for s in self.schools if s.kind(catalogue).name == kind_name)


def _decode(data, path):
    """Decode registry bytes: UTF-8 (with or without BOM), else GB18030 as Chinese Excel saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegistryError(f"{path}：无法识别文件编码，请另存为 UTF-8 编码的 CSV。")


def _school_from_row(cells, catalogue, regions):
    """Build a School from one data line, raising ValueError with a Chinese reason."""
    id_text, name, category, county, ownership = (c.strip() for c in cells)
    try:
        school_id = SchoolId.parse(id_text, catalogue)
    except SchoolIdError as exc:
        raise ValueError(str(exc)) from None
    if school_id.province != regions.province.code[:2]:
        raise ValueError(
            f"学校标识码 {id_text} 的省份码 {school_id.province} 不是 {regions.province.name}"
            f"（{regions.province.code[:2]}）。"
        )
    if not name:
        raise ValueError("学校名称为空。")
    if "_" in name or any(ch in name for ch in '\\/:*?"<>|'):
        raise ValueError(f"学校名称“{name}”含有“_”或文件名不允许的字符。")
    if category != school_id.category:
        raise ValueError(f"学校类别 {category} 与学校标识码前两位 {school_id.category} 不一致。")
    if regions.county(county) is None:
        raise ValueError(f"所在旗县代码 {county} 不是{regions.province.name}的旗县（市、区）代码。")
    if catalogue.table("school_ownership").get(ownership) is None:
        raise ValueError(f"办学性质 {ownership} 不是已知代码（1-公办，2-民办）。")
    return School(school_id, name, category, county, ownership)


def parse_registry(text, regions=None, catalogue=None, source="学校名单"):
    """Parse registry CSV text; raise RegistryError listing every faulty line."""
    catalogue = catalogue or default_catalogue()
    regions = regions or catalogue.regions
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip() for c in rows[0]) != HEADER:
        raise RegistryError(f"{source}：第1行表头应为 {','.join(HEADER)}。")
    schools, problems, seen = [], [], {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(HEADER):
            problems.append((line, f"应有 {len(HEADER)} 列，实有 {len(cells)} 列。"))
            continue
        try:
            school = _school_from_row(cells, catalogue, regions)
        except ValueError as exc:
            problems.append((line, str(exc)))
            continue
        if str(school.id) in seen:
            problems.append((line, f"学校标识码 {school.id} 与第 {seen[str(school.id)]} 行重复。"))
            continue
        seen[str(school.id)] = line
        schools.append(school)
    if problems:
        listing = "\n".join(f"  第 {line} 行：{message}" for line, message in problems)
        raise RegistryError(f"{source} 有 {len(problems)} 处错误：\n{listing}", problems)
    return Registry(schools, regions)


def load_registry(path, regions=None, catalogue=None):
    """Load a registry CSV (header 学校标识码,学校名称,学校类别,所在旗县代码,办学性质)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"无法读取学校名单 {path}：{exc.strerror}") from exc
    return parse_registry(_decode(data, path), regions, catalogue, source=str(path))


def registry_csv(registry):
    """Return the registry as CSV text with the standard header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for s in registry:
        writer.writerow((str(s.id), s.name, s.category, s.county, s.ownership))
    return out.getvalue()


def save_registry(registry, path):
    """Write the registry as UTF-8 CSV, atomically."""
    return atomic_write(path, registry_csv(registry).encode("utf-8"))
