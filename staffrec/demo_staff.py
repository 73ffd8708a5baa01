"""Fictional staff records of a demo school whose every row passes the template's checks."""

import datetime
import random
import zlib

from .catalogue import catalogue as default_catalogue
from .demo_names import (
    DEPARTMENTS,
    FOREIGN_UNIVERSITIES,
    GIVEN,
    HAN_SURNAMES,
    MONGOLIAN_GIVEN,
    MONGOLIAN_SURNAMES,
    SCHOOLS_OF_EDUCATION,
    UNIVERSITIES,
)
from .idcard import make_id_number

COLLECTION_DATE = datetime.date(2026, 9, 1)
AGES = (22, 60)
HIGHER_ED = "高校"

ETHNICITY_WEIGHTS = {"01": 74, "02": 20, "03": 2, "11": 2.5, "31": 0.5, "45": 0.5, "52": 0.3, "10": 0.2}
DEMOCRATIC_PARTIES = ("04", "05", "06", "07", "08", "09", "10")

# The education (学历) of each degree level; the usual age at graduation of every education used.
EDUCATION_OF_LEVEL = {"2": "11", "3": "14", "4": "21"}
GRADUATION_AGE = {"11": 28, "14": 25, "21": 22, "31": 21, "41": 19, "44": 19, "47": 19, "61": 19}
LEVEL_WEIGHTS = {
    "he_teacher": {"2": 40, "3": 42, "4": 15, "0": 3},
    "teacher": {"2": 0.5, "3": 12, "4": 70, "0": 17.5},
    "staff": {"3": 8, "4": 60, "0": 32},
    "worker": {"4": 8, "0": 92},
}
PREFERRED_DEGREES = ("04", "05", "07", "08", "12", "42")  # 教育学, 文学, 理学, 工学, 管理学, 教育硕士

# staff_category -> (weight in K-12, weight in higher education, post categories it fills).
STAFF_CATEGORIES = {
    "11": (76, 58, ("11",)), "10": (0.5, 0.5, ("11",)), "12": (6, 10, ("12",)),
    "13": (7, 14, ("2",)), "14": (5, 6, ("3",)), "19": (1, 1, ("12", "2")), "20": (0, 4, ("12",)),
    "30": (0.3, 0.5, ("12", "2", "3")), "40": (0.7, 1, ("12", "2")), "60": (0, 0.3, ("12", "2")),
    "61": (0, 1, ("11",)), "62": (0, 0.5, ("3", "2")), "99": (1, 1, ("2", "12", "3")),
}
# Professional title series, senior rank first.
TITLE_SERIES = {
    "高校": ("011", "012", "013", "014"), "中专": ("022", "023", "024", "025"),
    "实习指导": ("042", "043", "044", "045"), "中学": ("052", "053", "054", "055"),
    "小学": ("413", "414", "415", "416"), "实验": ("072", "073", "074", "075"),
    "工程": ("082", "083", "084", "085"), "会计": ("132", "133", "134", "135"),
    "研究": ("611", "612", "613", "614"), "图书": ("642", "643", "644", "645"),
    "政工": ("982", "983", "984", "985"),
}
SENIOR_TEACHER_TITLES = ("011", "022", "052", "413")
NO_TITLE, UNGRADED = "999", "999"
GRADES_OF_RANK = (("104", "105", "106", "107"), ("108", "109", "110"), ("111", "112"), ("113",))
MANAGEMENT_GRADES = ("210", "209", "208", "207", "206", "205")
WORKER_GRADES = ("306", "305", "304", "303", "302")
PRACTICE_WEIGHTS = {"0": 40, "1": 25, "2": 15, "3": 10, "4": 10}


def _months(year, month):
    """Return a year-month as a running month number."""
    return year * 12 + month - 1


def _year_month(months):
    """Format a running month number as YYYY-MM."""
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


LAST_MONTH = _months(COLLECTION_DATE.year, COLLECTION_DATE.month) - 1
SPECIAL_POSTS_SINCE = _months(2006, 9)  # 特岗计划 began in 2006
FREE_NORMAL_GRADUATES_SINCE = _months(2011, 7)  # first 免费师范生 graduated in 2011


def _pick(rng, weights):
    """Choose a key of `weights` with probability proportional to its value."""
    keys = [k for k, w in weights.items() if w > 0]
    return rng.choices(keys, [weights[k] for k in keys])[0]


def _yes(rng, probability):
    """Return yes/no code '1' with the given probability, else '0'."""
    return "1" if rng.random() < probability else "0"


def _han_name(rng, sex):
    """Invent a Han-style name: surname and a one- or two-character given name."""
    given = "".join(rng.choice(GIVEN[sex]) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(HAN_SURNAMES) + given


def _name(rng, sex, ethnicity):
    """Invent a name fitting the person's sex and ethnicity."""
    if ethnicity != "02":
        return _han_name(rng, sex)
    given = rng.choice(MONGOLIAN_GIVEN[sex])
    return given if rng.random() < 0.6 else rng.choice(MONGOLIAN_SURNAMES) + given


def _birth_date(rng):
    """Draw a birth date giving an age within AGES on the collection date, most staff mid-career."""
    age = min(AGES[1], int(rng.triangular(AGES[0], AGES[1] + 1, 38)))
    first = COLLECTION_DATE.replace(year=COLLECTION_DATE.year - age - 1) + datetime.timedelta(days=1)
    last = COLLECTION_DATE.replace(year=COLLECTION_DATE.year - age)
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days)), age


def _political_status(rng, age):
    """Draw 政治面貌 codes; 12 and 13 always stand alone, 共青团员 are 28 or younger."""
    r = rng.random()
    if r < 0.06:
        codes = {rng.choice(DEMOCRATIC_PARTIES)}
        if rng.random() < 0.3:
            codes.add("03" if age <= 28 else rng.choice(DEMOCRATIC_PARTIES))
        return sorted(codes)
    if age <= 28 and r < 0.45:
        return ["03"]
    return [_pick(rng, {"01": 36, "02": 2, "12": 1, "13": 55})]


def _marital_status(rng, age):
    """Draw 婚姻状况 plausible for the age."""
    if age < 25:
        return _pick(rng, {"10": 90, "20": 10})
    return _pick(rng, {"10": 8, "20": 60, "21": 20, "22": 3, "40": 7, "30": 2})


class _School:
    """What record generation needs to know about one school and the catalogue."""

    def __init__(self, school, catalogue):
        self.school = school
        self.kind = school.kind(catalogue)
        self.regions = catalogue.regions
        self.county = self.regions.county(school.county)
        self.counties = self.regions.counties()
        self.neighbours = self.regions.counties(self.county.parent)
        self.is_higher_ed = self.kind.name == HIGHER_ED
        self.is_sped = self.kind.name == "特教"
        column = 1 if self.is_higher_ed else 0
        choices = catalogue.table("staff_category").choices(self.kind.name, in_scope_only=True)
        self.categories = {
            c.code: STAFF_CATEGORIES[c.code][column]
            for c in choices
            if c.code in STAFF_CATEGORIES and self.posts(c.code)
        }
        self.degrees = {}
        for row in catalogue.table("degree"):
            self.degrees.setdefault(row.extra.get("level", ""), []).append(row.code)
        self.keys = self.kind.keys
        self.labels = {
            i.key: {c.code: c.label for c in catalogue.table(i.table)}
            for i in self.kind.indicators
            if i.is_coded
        }

    def posts(self, staff_category):
        """Return the post categories open to a staff category; 民办 schools have no 工勤 posts."""
        posts = STAFF_CATEGORIES[staff_category][2]
        return tuple(p for p in posts if p != "3") if self.school.is_private else posts

    def place(self, county):
        """Write a county to county level, as 籍贯 and 出生地 are filled."""
        return f"{self.regions.province.name}{self.regions.parent_of(county).name}{county.name}"

    def row(self, values):
        """Turn one person's values into a row of the kind: codes as `代码-名称`, every key present."""
        row = {}
        for key in self.keys:
            value = values.get(key, "")
            if value and key in self.labels:
                labels = self.labels[key]
                value = ",".join(labels[c] for c in value) if isinstance(value, list) else labels[value]
            row[key] = value
        return row


def _unused_id(rng, area, birth, sex, used_ids):
    """Return a valid ID number for the person that is not in `used_ids`, and add it there."""
    start = rng.randrange(500)
    for step in range(500):
        id_number = make_id_number(area, birth, (start + step) % 500 * 2, sex)
        if id_number not in used_ids:
            used_ids.add(id_number)
            return id_number
    raise ValueError(f"every ID number of area {area} born {birth} is taken")


def _education(rng, s, role, birth):
    """Draw degree level, degree, education, institution and 学缘 fitting the person's age."""
    weights = LEVEL_WEIGHTS["he_teacher" if role == "teacher" and s.is_higher_ed else role]
    last_graduation_year = COLLECTION_DATE.year - 1
    feasible = {
        level: w
        for level, w in weights.items()
        if level == "0" or birth.year + GRADUATION_AGE[EDUCATION_OF_LEVEL[level]] <= last_graduation_year
    }
    level = _pick(rng, feasible)
    if level == "0":
        education = rng.choice(("31", "31", "41") if role != "worker" else ("41", "44", "47", "61"))
        return level, "", education, rng.choice(SCHOOLS_OF_EDUCATION[education[0]]), "9"
    codes = s.degrees[level]
    preferred = [c for c in codes if c[1:] in PREFERRED_DEGREES]
    degree = rng.choice(preferred if preferred and rng.random() < 0.8 else codes)
    origin = _pick(rng, {"1": 20, "2": 75, "3": 5}) if s.is_higher_ed else "2"
    if origin == "1":
        institution = s.school.name
    else:
        institution = rng.choice(FOREIGN_UNIVERSITIES if origin == "3" else UNIVERSITIES)
    return level, degree, EDUCATION_OF_LEVEL[level], institution, origin


def _timeline(rng, birth, education):
    """Return work start, school start and a month in between, as running month numbers."""
    earliest = _months(birth.year + 18, birth.month) + 1
    gap = _pick(rng, {0: 6, 1: 3, 2: 1})
    planned = _months(birth.year + GRADUATION_AGE[education] + gap, rng.choice((7, 8, 9)))
    work = min(max(planned, earliest), LAST_MONTH)
    school = work if rng.random() < 0.5 else rng.randint(work, LAST_MONTH)
    return work, school, rng.randint(work, school)


def _ranked_title(rng, series, years):
    """Return a title of `series` fitting the years of work, and a grade of its rank."""
    if years < 1:
        return NO_TITLE, UNGRADED
    if years >= 20:
        rank = _pick(rng, {0: 5, 1: 5})
    elif years >= 10:
        rank = _pick(rng, {0: 1, 1: 7, 2: 2})
    else:
        rank = _pick(rng, {1: 1, 2: 8, 3: 1} if years >= 4 else {2: 6, 3: 4})
    return TITLE_SERIES[series][rank], rng.choice(GRADES_OF_RANK[rank])


def _title_and_grade(rng, s, post, years):
    """Draw 专业技术职务 and 岗位等级 fitting the post category and years of work."""
    if post == "3":
        return NO_TITLE, WORKER_GRADES[min(years // 6, len(WORKER_GRADES) - 1)]
    if post == "2":
        grade = MANAGEMENT_GRADES[min(years // 5, len(MANAGEMENT_GRADES) - 1)]
        return (_ranked_title(rng, "政工", years)[0] if rng.random() < 0.3 else NO_TITLE), grade
    if post != "11":
        series = rng.choice(("实验", "图书", "会计", "工程") + (("研究",) if s.is_higher_ed else ()))
    elif s.is_higher_ed:
        series = "高校"
    elif s.kind.name == "中职":
        series = _pick(rng, {"中专": 60, "实习指导": 15, "中学": 25})
    elif s.is_sped:
        series = rng.choice(("小学", "中学"))
    else:
        series = "小学" if s.school.category == "21" else "中学"
    return _ranked_title(rng, series, years)


def _staff_source(rng, s, fresh, education, origin):
    """Draw 教职工来源: graduates hired straight from school, the others transferred or recruited."""
    if not s.is_higher_ed:
        if fresh:
            return rng.choice(("11", "12"))
        return _pick(rng, {"31": 60, "32": 18, "13": 7, "14": 5, "21": 3, "22": 1, "99": 2})
    if not fresh:
        return _pick(rng, {"31": 30, "321": 15, "332": 15, "51": 25, "45": 5, "21": 2, "99": 3})
    graduate = {"11": "13", "14": "12", "21": "11"}.get(education)
    return graduate + ("1" if origin == "1" else "2") if graduate else "16"


def _grassroots(rng, s, is_teacher, work):
    """Draw 基层服务项目 with its start and end months, both empty for 0-否."""
    if s.is_higher_ed or rng.random() >= 0.12:
        return "0", "", ""
    special_post = is_teacher and work >= SPECIAL_POSTS_SINCE and rng.random() < 0.7
    code = "1" if special_post else rng.choice("2349")
    start = work if code == "1" else rng.randint(work, LAST_MONTH)
    end = min(start + rng.choice((12, 24, 36)), LAST_MONTH)
    return code, _year_month(start), _year_month(end)


def _teacher_items(rng, s, is_teacher, education, birth, work, title, years):
    """Draw the yes/no and rating items on teaching, special education and vocational practice."""
    free_normal_possible = is_teacher and education in ("14", "21") and (
        birth.year >= 1985 and work >= FREE_NORMAL_GRADUATES_SINCE
    )
    senior = is_teacher and title in SENIOR_TEACHER_TITLES and years >= 20
    return {
        "normal_major": _yes(rng, 0.55) if is_teacher and education in ("14", "21", "31") else "0",
        "sped_major": _yes(rng, 0.35) if s.is_sped and is_teacher else "0",
        "sped_trained": _yes(rng, 0.85 if s.is_sped else 0.05),
        "sped_certificate": _yes(rng, 0.4 if s.is_sped else 0.01),
        "it_skill": _pick(rng, {"1": 10, "2": 35, "3": 35, "4": 15, "5": 5}),
        "free_normal": _pick(rng, {"0": 89, "1": 3, "2": 8}) if free_normal_possible else "0",
        "master_teacher": _yes(rng, 0.05) if senior else "0",
        "backbone_teacher": _yes(rng, 0.2) if is_teacher and years >= 5 else "0",
        "mental_health_teacher": _pick(rng, {"0": 95, "1": 1, "2": 4}) if is_teacher else "0",
        "dual_qualified": _yes(rng, 0.4) if is_teacher else "0",
        "vocational_certificate": _yes(rng, 0.35),
        "enterprise_practice": _pick(rng, PRACTICE_WEIGHTS) if is_teacher else "0",
        "remark": "兼任班主任" if is_teacher and not s.is_higher_ed and rng.random() < 0.03 else "",
    }


def _supervisor(title, level):
    """Return 导师类别 of a university teacher: professors with a degree supervise graduate students."""
    if title == "011" and level == "2":
        return "3"
    return "2" if title in ("011", "012") and level in ("2", "3") else "0"


def _person(rng, s, index, used_ids):
    """Invent one person as indicator key -> code, list of codes, or text."""
    category = _pick(rng, s.categories)
    post = rng.choice(s.posts(category))
    is_teacher = post == "11"
    role = "teacher" if is_teacher else "worker" if post == "3" else "staff"
    female_share = {"teacher": 0.52 if s.is_higher_ed else 0.68, "worker": 0.3}.get(role, 0.55)
    sex = "2" if rng.random() < female_share else "1"
    birth, age = _birth_date(rng)
    ethnicity = _pick(rng, ETHNICITY_WEIGHTS)
    if "蒙古族" in s.school.name and rng.random() < 0.8:
        ethnicity = "02"
    home_share, r = (0.45 if s.is_higher_ed else 0.75), rng.random()
    if r >= home_share:
        area = rng.choice(s.neighbours if r < home_share + 0.15 else s.counties)
    else:
        area = s.county
    id_number = _unused_id(rng, area.code, birth, sex, used_ids)
    level, degree, education, institution, origin = _education(rng, s, role, birth)
    work, school_start, sped_start = _timeline(rng, birth, education)
    years = (LAST_MONTH - work) // 12
    title, grade = _title_and_grade(rng, s, post, years)
    established = "1" if not s.school.is_private or rng.random() < 0.15 else "0"
    grassroots, grassroots_start, grassroots_end = _grassroots(rng, s, is_teacher, work)
    native = rng.choice(s.counties) if rng.random() < 0.2 else area
    contracts = {"1": 92, "2": 3, "0": 5} if established == "1" else {"2": 80, "1": 10, "3": 5, "0": 5}
    return {
        "name": _name(rng, sex, ethnicity),
        "former_name": _han_name(rng, sex) if rng.random() < 0.02 else "",
        "sex": sex,
        "staff_no": f"{index + 1:05d}",
        "nationality": "156",
        "id_type": "1",
        "id_number": id_number,
        "birth_date": birth.isoformat(),
        "native_place": s.place(native),
        "birthplace": s.place(area),
        "ethnicity": ethnicity,
        "political_status": _political_status(rng, age),
        "marital_status": _marital_status(rng, age),
        "health": _pick(rng, {"1": 92, "2": 6, "3": 2}),
        "education": education,
        "education_institution": institution,
        "degree_level": level,
        "degree": degree,
        "degree_institution": institution if degree else "",
        "work_start": _year_month(work),
        "sped_start": _year_month(sped_start),
        "school_start": _year_month(school_start),
        "staff_source": _staff_source(rng, s, school_start == work, education, origin),
        "academic_origin": origin,
        "staff_category": category,
        "established_post": established,
        "employment_form": "" if established == "1" else _pick(rng, {"1": 50, "2": 30, "9": 20}),
        "contract": _pick(rng, contracts),
        "post_category": post,
        "post_grade": grade,
        "professional_title": title,
        "department": rng.choice(DEPARTMENTS[post]) if s.is_higher_ed else "",
        "supervisor": _supervisor(title, level) if is_teacher else "",
        "grassroots": grassroots,
        "grassroots_start": grassroots_start,
        "grassroots_end": grassroots_end,
        **_teacher_items(rng, s, is_teacher, education, birth, work, title, years),
    }


def demo_records(school, count, seed=0, catalogue=None, *, taken_ids=None):
    """Invent `count` staff of `school` as rows keyed by indicator key, avoiding and extending `taken_ids`."""
    catalogue = catalogue or default_catalogue()
    context = _School(school, catalogue)
    rng = random.Random(zlib.crc32(f"{school.id}/{seed}".encode("ascii")))
    # Without a shared set numbers are unique inside the school only; pass one set for a whole region.
    used_ids = set() if taken_ids is None else taken_ids
    return [context.row(_person(rng, context, i, used_ids)) for i in range(count)]
