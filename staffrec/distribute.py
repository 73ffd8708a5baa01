"""Distribution: each school's empty template, one file per school or a ZIP per county, and masters."""

import io
import zipfile
from pathlib import Path

from .catalogue import catalogue as default_catalogue
from .errors import TemplateError
from .files import atomic_write
from .layout import build_layout
from .template import WRITERS, new_template

# A fixed timestamp keeps the archives reproducible byte for byte.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def select_schools(registry, school=None, county=None, city=None, kind=None):
    """Return the registry's schools matching every given filter, in registry order."""
    if school is not None and registry.get(school) is None:
        raise TemplateError(f"学校名单中没有学校标识码为 {school} 的学校。")
    if county is not None and registry.regions.county(county) is None:
        raise TemplateError(f"{county} 不是旗县（市、区）代码。")
    if city is not None and city not in {c.code for c in registry.regions.cities()}:
        raise TemplateError(f"{city} 不是盟市代码。")
    counties = None if city is None else {c.code for c in registry.regions.counties(city)}
    return [
        s
        for s in registry
        if (school is None or str(s.id) == str(school))
        and (county is None or s.county == county)
        and (counties is None or s.county in counties)
        and (kind is None or s.kind().name == kind)
    ]


def zip_name(registry, county_code):
    """Return the archive name of one county's templates."""
    county = registry.regions.county(county_code)
    return f"{county_code}_{county.name}_教职工信息采集模板.zip"


def zip_info(name):
    """Return the entry of a ZIP member as staffrec packs them: deflated, fixed date, mode 644."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_bytes(members):
    """Return a ZIP of (name, bytes) pairs, each packed by `zip_info`; non-ASCII names get the UTF-8 flag."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zip_info(name), data)
    return out.getvalue()


def distribute(registry, schools, out, fmt="xls", as_zip=False, progress=None):
    """Write each school's empty template into `out` (one ZIP per county with `as_zip`); return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    progress = progress or (lambda school: None)
    if not as_zip:
        paths = []
        for school in schools:
            paths.append(new_template(school).save(out, fmt=fmt))
            progress(school)
        return paths
    by_county = {}
    for school in schools:
        template = new_template(school)
        by_county.setdefault(school.county, []).append((template.file_name(fmt), template.to_bytes(fmt)))
        progress(school)
    return [
        atomic_write(out / zip_name(registry, county), zip_bytes(members))
        for county, members in by_county.items()
    ]


def master_file_name(kind):
    """Return the file name of a kind's master template."""
    return f"{kind.template_name}.xls"


def master_bytes(kind, catalogue=None):
    """Return the .xls master template of a kind: the full layout with no school filled in."""
    catalogue = catalogue or default_catalogue()
    return WRITERS["xls"](build_layout("", "", kind, (), {}, catalogue))


def write_masters(out, catalogue=None):
    """Write the master template of every kind into `out`; return the paths."""
    catalogue = catalogue or default_catalogue()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [
        atomic_write(out / master_file_name(kind), master_bytes(kind, catalogue))
        for kind in catalogue.kinds.values()
    ]
