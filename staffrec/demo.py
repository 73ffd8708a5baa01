"""Deterministic fictional demo data: a school registry covering the region and staff records."""

import random

from .catalogue import catalogue as default_catalogue
from .demo_staff import demo_records
from .identity import SchoolId
from .registry import Registry, School

__all__ = ["demo_registry", "demo_records", "chinese_number"]

PUBLIC, PRIVATE = "1", "2"
PRIVATE_SHARE = 0.05
# Relative frequency of the ordinary K-12 categories (小学, 初中, 高中) in a county.
K12_WEIGHTS = {"21": 56, "31": 29, "34": 15}
PRIVATE_WORDS = "育才 育英 启明 博雅 明德 英才 新星 华夏 志远 求实 致远 崇德 弘毅 树人 文华 正阳".split()
# The seat of a city whose first county in code order is not where its government sits.
SEAT_OVERRIDES = {"152500": "152502"}
# Invented higher-education institutions, placed in the seat of the city at `city_index`.
HIGHER_ED = (
    (0, "41", PUBLIC, "内蒙古青城理工大学"),
    (0, "41", PUBLIC, "内蒙古北疆师范学院"),
    (0, "41", PUBLIC, "内蒙古草原生态职业技术学院"),
    (0, "41", PUBLIC, "内蒙古数字经济职业技术学院"),
    (0, "41", PRIVATE, "内蒙古民办北辰职业学院"),
    (0, "42", PUBLIC, "内蒙古青城职工大学"),
    (1, "41", PUBLIC, "内蒙古鹿城冶金职业技术学院"),
    (1, "41", PUBLIC, "内蒙古北疆装备制造职业学院"),
    (1, "42", PUBLIC, "包头市鹿城职工大学"),
    (2, "41", PUBLIC, "内蒙古黄河湾化工职业学院"),
    (3, "41", PUBLIC, "内蒙古红山文旅职业技术学院"),
    (4, "41", PUBLIC, "内蒙古科尔沁农牧职业技术学院"),
    (5, "41", PUBLIC, "内蒙古北疆新能源职业技术学院"),
    (6, "41", PUBLIC, "内蒙古岭北林业职业技术学院"),
    (7, "41", PUBLIC, "内蒙古河套农业职业技术学院"),
    (8, "41", PUBLIC, "内蒙古察哈尔物流职业学院"),
    (9, "41", PUBLIC, "内蒙古兴安岭生态职业学院"),
    (10, "41", PUBLIC, "内蒙古锡林草原畜牧职业学院"),
    (11, "41", PUBLIC, "内蒙古大漠沙产业职业学院"),
)
# Fictional 5-digit national codes: 41 institutions from 18101, 42 from 18901.
NATIONAL_CODE_START = {"41": 18101, "42": 18901}

_DIGITS = "零一二三四五六七八九"


def chinese_number(n):
    """Write 1..999 in Chinese numerals as school names use them (十一, 二十, 一百零五)."""
    if not 1 <= n <= 999:
        raise ValueError(f"only 1..999 can be written, got {n}")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (_DIGITS[ones] if ones else "")


def place_name(city, county):
    """Return the name prefix schools of a county carry: districts (区) keep their city's name."""
    return f"{city.name}{county.name}" if county.name.endswith("区") else county.name


def city_seat(city, counties):
    """Return the county where a city's government sits."""
    wanted = SEAT_OVERRIDES.get(city.code)
    return next((c for c in counties if c.code == wanted), counties[0])


class _RegistryBuilder:
    """Collects demo schools, numbering ids per category and keeping names unique."""

    def __init__(self, catalogue):
        self.catalogue = catalogue
        self.province = catalogue.regions.province.code[:2]
        self.schools = []
        self.names = set()
        self.next_sequence = {}
        self.name_counters = {}

    def count(self, key):
        """Return 1, 2, 3, ... on successive calls with the same key."""
        self.name_counters[key] = self.name_counters.get(key, 0) + 1
        return self.name_counters[key]

    def add(self, category, county, name, ownership=PUBLIC, sequence=None):
        """Register one school; K-12 sequences are numbered per category when none is given."""
        if name in self.names:
            raise ValueError(f"demo school name {name} generated twice")
        if sequence is None:
            number = self.next_sequence[category] = self.next_sequence.get(category, 0) + 1
            sequence = f"{number:06d}"
        school_id = SchoolId.parse(f"{category}{self.province}{sequence}", self.catalogue)
        self.names.add(name)
        self.schools.append(School(school_id, name, category, county.code, ownership))


def _k12_name(builder, place, county, category):
    """Name the next public school of `category` in one place."""
    # Mongolian-medium schools are typical of the banners (旗).
    banner = "旗" in county.name
    specials = {
        "21": ["实验小学"] + (["蒙古族小学"] if banner else []),
        "31": ["实验中学"],
        "34": ["高级中学"] + (["蒙古族中学"] if banner else []),
    }[category]
    n = builder.count((place, category))
    if n <= len(specials):
        return place + specials[n - 1]
    # 初中 and 高中 share one numbering, as in 第一中学, 第二中学.
    series = "小学" if category == "21" else "中学"
    return f"{place}第{chinese_number(builder.count((place, series)))}{series}"


def _private_name(builder, place, county, category):
    """Name the next 民办 school of one place so the name says it is private."""
    n = builder.count((place, "民办")) - 1
    # Offsetting by the county code varies the names between counties; (word, round) stays unique.
    word = PRIVATE_WORDS[(n + int(county.code)) % len(PRIVATE_WORDS)]
    if n >= len(PRIVATE_WORDS):
        word += f"第{chinese_number(n // len(PRIVATE_WORDS) + 1)}"
    suffix = "高级中学" if category == "34" else "学校"
    return f"{place}民办{word}{suffix}"


def _add_k12(builder, rng, city, county, per_county):
    """Add the ordinary primary and secondary schools of one county."""
    place = place_name(city, county)
    count = max(1, round(per_county * rng.uniform(0.75, 1.25)))
    categories, weights = zip(*K12_WEIGHTS.items())
    for _ in range(count):
        category = rng.choices(categories, weights)[0]
        if rng.random() < PRIVATE_SHARE:
            builder.add(category, county, _private_name(builder, place, county, category), PRIVATE)
        else:
            builder.add(category, county, _k12_name(builder, place, county, category))


def _add_city_specials(builder, rng, city_index, city, counties):
    """Add a city's vocational and special schools, and its few 职业初中 and 工读学校."""
    seat = city_seat(city, counties)
    builder.add("36", seat, f"{city.name}第一中等职业学校")
    builder.add("36", seat, f"{city.name}第二中等职业学校")
    builder.add("51", seat, f"{city.name}特殊教育学校")
    if city_index < 2:
        builder.add("37", seat, f"{city.name}工读学校")
    if city_index % 3 == 2:
        builder.add("32", counties[-1], f"{place_name(city, counties[-1])}职业初级中学")
    for county in counties:
        place = place_name(city, county)
        if county != seat and rng.random() < 0.4:
            builder.add("36", county, f"{place}职业教育中心")
        if rng.random() < 0.12:
            builder.add("51", county, f"{place}特殊教育学校")


def _add_higher_ed(builder, cities):
    """Add the invented universities and colleges, each in its city's seat."""
    next_code = dict(NATIONAL_CODE_START)
    for city_index, category, ownership, name in HIGHER_ED:
        city, counties = cities[city_index % len(cities)]
        code, next_code[category] = next_code[category], next_code[category] + 1
        builder.add(category, city_seat(city, counties), name, ownership, f"0{code:05d}")


def demo_registry(seed=2026, per_county=4, catalogue=None):
    """Build a fictional registry: every city and county has schools, all four template kinds occur."""
    catalogue = catalogue or default_catalogue()
    regions = catalogue.regions
    rng = random.Random(seed)
    builder = _RegistryBuilder(catalogue)
    cities = [(city, regions.counties(city.code)) for city in regions.cities()]
    for city_index, (city, counties) in enumerate(cities):
        for county in counties:
            _add_k12(builder, rng, city, county, per_county)
        _add_city_specials(builder, rng, city_index, city, counties)
    _add_higher_ed(builder, cities)
    return Registry(builder.schools, regions)
