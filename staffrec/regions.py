"""The region table (GB/T 2260): one province, its cities (盟市) and counties (旗县)."""

import csv

import attrs

from .errors import CatalogueError

LEVELS = ("province", "city", "county")


@attrs.frozen
class Region:
    """One administrative division."""

    code: str
    name: str
    level: str
    parent: str = ""


class RegionTable:
    """A province with its cities and counties, looked up by code."""

    def __init__(self, regions):
        self.regions = tuple(regions)
        self._by_code = {r.code: r for r in self.regions}
        provinces = [r for r in self.regions if r.level == "province"]
        if len(provinces) != 1:
            raise CatalogueError("a region table holds exactly one province")
        self.province = provinces[0]
        for region in self.regions:
            if region.level not in LEVELS:
                raise CatalogueError(f"region {region.code}: unknown level {region.level!r}")
            if region.level != "province" and self.parent_of(region) is None:
                raise CatalogueError(f"region {region.code}: parent {region.parent!r} missing")

    def __contains__(self, code):
        return code in self._by_code

    def __len__(self):
        return len(self.regions)

    def get(self, code):
        """Return the region with this code, or None."""
        return self._by_code.get(code)

    def parent_of(self, region):
        """Return the region one level up, or None."""
        return self._by_code.get(region.parent)

    def cities(self):
        """Return the cities (盟市) in table order."""
        return tuple(r for r in self.regions if r.level == "city")

    def counties(self, city_code=None):
        """Return the counties (旗县), of one city when `city_code` is given."""
        return tuple(
            r
            for r in self.regions
            if r.level == "county" and (city_code is None or r.parent == city_code)
        )

    def county(self, code):
        """Return the county with this code, or None when `code` is no county."""
        region = self._by_code.get(code)
        return region if region is not None and region.level == "county" else None

    def city_of(self, county_code):
        """Return the city a county belongs to, or None when it is no county."""
        county = self.county(county_code)
        return None if county is None else self.parent_of(county)


def load_regions(path):
    """Read a region table CSV with header `code,name,level,parent`."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"code", "name", "level", "parent"} <= set(reader.fieldnames):
            raise CatalogueError(f"{path}: header must be code,name,level,parent")
        return RegionTable(
            Region(r["code"].strip(), r["name"].strip(), r["level"].strip(), (r["parent"] or "").strip())
            for r in reader
        )
