"""Write the example HR export: 1,000 fictional staff as a school's HR system exports them (GBK CSV).

    python examples/hr_export/make_export.py [--out DIR]

The people come from staffrec's demo generator, so every one of them is valid; this script writes
them the way HR systems do (odd headers, short names instead of codes, several date forms, title
rows above the header, a few empty 性别/出生日期) and then plants the defects listed in DEFECTS,
which it also writes to defects.csv with the source row where each must be reported.
"""

import argparse
import csv
import io
import random
from pathlib import Path

from staffrec.demo_staff import demo_records
from staffrec.idcard import check_character
from staffrec.registry import load_registry

HERE = Path(__file__).resolve().parent
SCHOOL_ID = "3415020001"
PEOPLE = 1000
SEED = 2026
TITLE_ROWS = (
    "呼和浩特市赛罕区青城实验中学在职教职工花名册",
    "导出时间：2026-09-01 08:30　导出人：人事科（本表由人事管理系统导出）",
)
FIRST_DATA_ROW = len(TITLE_ROWS) + 2  # title rows, then the header, then the people
# Export column -> indicator key; None marks columns the template has no place for.
COLUMNS = (
    ("序号", None), ("工号", "staff_no"), ("姓名", "name"), ("曾用名", "former_name"), ("性别", "sex"),
    ("公民身份号码", "id_number"), ("出生年月日", "birth_date"), ("籍贯", "native_place"), ("出生地", "birthplace"),
    ("民族", "ethnicity"), ("党派", "political_status"), ("婚姻状况", "marital_status"), ("健康状况", "health"),
    ("最高学历", "education"), ("毕业院校", "education_institution"), ("最高学位", "degree_level"),
    ("学位名称", "degree"), ("学位授予单位", "degree_institution"), ("参加工作时间", "work_start"),
    ("进校时间", "school_start"), ("人员来源", "staff_source"), ("人员类别", "staff_category"),
    ("编制情况", "established_post"), ("用工形式", "employment_form"), ("合同类型", "contract"),
    ("岗位类型", "post_category"), ("岗位级别", "post_grade"), ("现任专业技术职务", "professional_title"),
    ("师范类专业毕业", "normal_major"), ("特教培训", "sped_trained"), ("特教证书", "sped_certificate"),
    ("信息技术能力", "it_skill"), ("公费师范生", "free_normal"), ("基层服务项目", "grassroots"),
    ("基层服务开始时间", "grassroots_start"), ("基层服务结束时间", "grassroots_end"), ("特级教师", "master_teacher"),
    ("骨干教师", "backbone_teacher"), ("心理健康教师", "mental_health_teacher"), ("手机号码", None), ("备注", "remark"),
)
CN = "一二三四五六七八九十"
# How the HR system spells codes; a list gives the spellings it mixes.
SPELLINGS = {
    "sex": {"1": ["男"], "2": ["女"]},
    "political_status": {
        "01": ["中共党员", "党员"], "02": ["预备党员"], "03": ["共青团员", "团员"], "04": ["民革"], "05": ["民盟"],
        "06": ["民建"], "07": ["民进"], "08": ["农工党"], "09": ["致公党"], "10": ["九三学社"], "12": ["无党派"],
        "13": ["群众"],
    },
    "marital_status": {"10": ["未婚"], "20": ["已婚"], "21": ["初婚"], "22": ["再婚"], "30": ["丧偶"], "40": ["离异", "离婚"]},
    "health": {"1": ["健康"], "2": ["一般"], "3": ["有慢性病"]},
    "education": {
        "11": ["博士研究生"], "14": ["硕士研究生", "硕士"], "21": ["本科", "大学本科"], "31": ["大专", "专科"],
        "41": ["中专"], "44": ["职高"], "47": ["技校"], "61": ["高中"],
    },
    "degree_level": {"0": ["无"], "2": ["博士"], "3": ["硕士"], "4": ["学士"]},
    "staff_category": {
        "10": ["校本部教职工"], "11": ["专任教师"], "12": ["教辅"], "13": ["行政"], "14": ["工勤"],
        "19": ["其他校本部教职工"], "30": ["校办企业职工"], "40": ["其他附设机构人员"], "99": ["其他教职工"],
    },
    "established_post": {"1": ["在编"], "0": ["编外"]},
    "contract": {"1": ["聘用合同", "聘用"], "2": ["劳动合同"], "3": ["其他合同"], "0": ["未签"]},
    "post_category": {"11": ["教师岗"], "12": ["其他专技"], "2": ["管理岗"], "3": ["工勤岗"]},
    "normal_major": {"1": ["是"], "0": ["否"]},
    "sped_trained": {"1": ["是"], "0": ["否"]},
    "sped_certificate": {"1": ["有"], "0": ["无"]},
    "free_normal": {"0": ["否"], "1": ["部属公费师范生"], "2": ["地方公费师范生"]},
    "grassroots": {"0": ["无"], "1": ["特岗计划"], "2": ["大学生村官"], "3": ["三支一扶"], "4": ["西部计划"], "9": ["其他"]},
    "master_teacher": {"1": ["是"], "0": ["否"]},
    "backbone_teacher": {"1": ["Y"], "0": ["N"]},
    "mental_health_teacher": {"0": ["否"], "1": ["专职"], "2": ["兼职"]},
}
SHORT_TITLES = {"052": "中高", "053": "中一", "054": "中二", "055": "中三"}
# (person index, export column, planted value or how to plant it, the code that must report it)
DEFECTS = (
    (56, "党派", "入党积极分子", "migrate.code_unknown"),
    (123, "现任专业技术职务", "一级教师", "migrate.code_ambiguous"),
    (200, "最高学历", "研究生", "migrate.code_ambiguous"),
    (314, "出生年月日", "1986/2/30", "migrate.date_invalid"),
    (421, "公民身份号码", "wrong check character", "id.check_digit"),
    (512, "公民身份号码", "copy of person 511", "id.duplicate"),
    (640, "参加工作时间", "2008.1", "migrate.yearmonth_ambiguous"),
    (777, "人员类别", "代课教师", "scope.category"),
    (850, "性别", "the other sex", "id.sex_mismatch"),
    (901, "最高学历", "", "cell.required"),
    (960, "民族", "穿青人", "migrate.code_unknown"),
    (990, "进校时间", "before work start", "row.date_order"),
)


def _code(label):
    return label.partition("-")[0]


def _name_of(label):
    return label.partition("-")[2]


def _post_grade(code):
    """Spell a 岗位等级 as HR systems do: 专技十级, 管理七级, 技术工三级."""
    number = int(code[1:])
    if code == "999":
        return "未定级"
    if code == "306":
        return "普通工"
    rank = CN[number - 1] if number <= 10 else "十" + CN[number - 11]
    return {"1": f"专技{rank}级", "2": f"管理{rank}级", "3": f"技术工{rank}级"}[code[0]]


def _spell(rng, key, label):
    """Write one coded value of a person as the HR system does."""
    if not label:
        return ""
    code = _code(label)
    if key == "political_status":
        return "、".join(rng.choice(SPELLINGS[key][_code(part)]) for part in label.split(","))
    if key == "ethnicity":
        name = _name_of(label)
        return name[:-1] if name.endswith("族") and rng.random() < 0.6 else name
    if key == "degree":
        return _name_of(label).replace("专业学位", "").replace("学位", "")
    if key == "post_grade":
        return _post_grade(code)
    if key == "professional_title":
        if code in SHORT_TITLES and rng.random() < 0.3:
            return SHORT_TITLES[code]
        return _name_of(label).split("（")[0]
    if key in SPELLINGS:
        return rng.choice(SPELLINGS[key][code])
    return _name_of(label)


def _dates(rng, person):
    """Write the dates as the HR system does: 1985/3/12, 2008.09 or 2008年9月, 09/2008."""
    birth = person["birth_date"]
    year, month, day = birth.split("-")
    work_year, work_month = person["work_start"].split("-")
    school_year, school_month = person["school_start"].split("-")
    return {
        "birth_date": f"{year}/{int(month)}/{int(day)}",
        "work_start": f"{work_year}.{work_month}" if rng.random() < 0.7 else f"{work_year}年{int(work_month)}月",
        "school_start": f"{school_month}/{school_year}",
    }


def _row(rng, index, person):
    """Return one export row (dict by export column) for a valid person."""
    values = {key: _spell(rng, key, person.get(key, "")) for _, key in COLUMNS if key}
    for key in ("staff_no", "name", "former_name", "id_number", "native_place", "birthplace",
                "education_institution", "degree_institution", "grassroots_start", "grassroots_end", "remark"):
        values[key] = person[key]
    values.update(_dates(rng, person))
    if len(values["name"]) == 2 and index % 97 == 3:
        values["name"] = values["name"][0] + "\u3000" + values["name"][1]  # aligned as in printed rosters
    if index % 37 == 5:
        values["sex"] = ""
    if index % 41 == 7:
        values["birth_date"] = ""
    row = {header: values[key] for header, key in COLUMNS if key}
    row["序号"] = str(index + 1)
    row["手机号码"] = f"1{rng.choice('358')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"
    return row


def _plant(rows, people):
    """Plant the example's defects; every other row stays valid."""
    for index, column, value, _ in DEFECTS:
        row = rows[index]
        if column == "公民身份号码" and value.startswith("wrong"):
            number = row[column]
            wrong = "0123456789X"[("0123456789X".index(check_character(number[:17])) + 3) % 11]
            row[column] = number[:17] + wrong
        elif column == "公民身份号码":
            row[column] = rows[index - 1][column]
        elif column == "性别":
            row[column] = "女" if people[index]["sex"] == "1-男" else "男"
        elif column == "进校时间":
            year, month = people[index]["work_start"].split("-")
            row[column] = f"{month}/{int(year) - 2}"
        else:
            row[column] = value


def build(out_dir=HERE):
    """Write hr_export.csv (GBK, as Excel on Chinese Windows saves CSV) and defects.csv into `out_dir`."""
    out_dir = Path(out_dir)
    school = load_registry(HERE / "schools.csv").get(SCHOOL_ID)
    people = demo_records(school, PEOPLE, seed=SEED)
    rng = random.Random(SEED)
    rows = [_row(rng, index, person) for index, person in enumerate(people)]
    _plant(rows, people)
    headers = [header for header, _ in COLUMNS]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for title in TITLE_ROWS:
        writer.writerow([title] + [""] * (len(headers) - 1))
    writer.writerow(headers)
    writer.writerows([row[h] for h in headers] for row in rows)
    (out_dir / "hr_export.csv").write_bytes(text.getvalue().encode("gbk"))
    defects = io.StringIO()
    writer = csv.writer(defects, lineterminator="\n")
    writer.writerow(("source_row", "column", "value", "expected"))
    for index, column, _, expected in DEFECTS:
        writer.writerow((index + FIRST_DATA_ROW, column, rows[index][column], expected))
    (out_dir / "defects.csv").write_text(defects.getvalue(), encoding="utf-8")
    return out_dir / "hr_export.csv"


def main():
    """Write the example files (next to this script unless --out says otherwise)."""
    parser = argparse.ArgumentParser(description="生成迁移示例：某中学人事系统导出的教职工花名册（GBK CSV，1000 人）。")
    parser.add_argument("--out", type=Path, default=HERE, help="输出目录（默认本脚本所在目录）")
    args = parser.parse_args()
    print(f"已生成 {build(args.out)}")


if __name__ == "__main__":
    main()
