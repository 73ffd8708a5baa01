"""Reviewer tools over the store: version diff, completeness, statistics, Ministry export."""

import csv
import datetime
import hashlib
import io
import zipfile

import openpyxl
import pytest

from staffrec import new_template
from staffrec.demo_staff import demo_records
from staffrec.review import State
from staffrec.store import Store
from staffrec.store.ministry_export import MANIFEST, ExportNotAllowed

SIGNOFF = {"entered_by": "甲", "checked_by": "乙"}
DAY = datetime.date(2026, 9, 15)


@pytest.fixture
def store(tmp_path, registry):
    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    for name, tier, territory in [
        ("新城区", "county", "150102"), ("土左旗", "county", "150121"), ("呼和浩特市", "city", "150100"),
        ("自治区", "region", "150000"), ("信息中心", "info_centre", "150000"),
    ]:
        store.add_user(name, tier, territory, display_name=f"{name}审核员")
    return store


def upload(store, registry, school_id, user, people):
    template = new_template(registry.get(school_id), people, signoff=SIGNOFF)
    (result,) = store.ingest([(template.file_name(), template.to_bytes())], user)
    assert result.accepted, result.messages
    return template


def report_up(store, school_id):
    for user in ("新城区", "呼和浩特市", "自治区"):
        assert store.review(user, [school_id], "approve")[0].ok


def test_diff_of_two_known_versions(store, registry):
    school = registry.get("2115000001")
    people = demo_records(school, 4)
    upload(store, registry, "2115000001", "新城区", people)
    changed = [dict(p) for p in people[:3]] + demo_records(school, 5)[4:]
    changed[1]["remark"] = "已调整岗位"
    upload(store, registry, "2115000001", "新城区", changed)
    diff = store.diff("2115000001", 1, 2)
    assert [p["id_number"] for p in diff.removed] == [people[3]["id_number"]]
    assert len(diff.added) == 1 and diff.unchanged == 2
    (change,) = diff.changed
    assert [(c.header, c.old, c.new) for c in change.changes] == [("备注", "", "已调整岗位")]


def test_completeness_counts_per_county(store, registry):
    upload(store, registry, "2115000001", "新城区", demo_records(registry.get("2115000001"), 2))
    rows = store.completeness("呼和浩特市")
    assert [(r.code, r.name, r.total) for r in rows] == [("150102", "新城区", 1), ("150121", "土默特左旗", 1)]
    assert rows[0].waiting[State.AT_COUNTY] == 1 and rows[0].missing == ()
    assert [m.school_id for m in rows[1].missing] == ["3415000002"]
    assert store.completeness("新城区")[0].code == "150102" and len(store.completeness("新城区")) == 1
    region = store.completeness("自治区", by="city")
    assert sum(r.total for r in region) == len(registry)


def test_statistics_match_the_records(store, registry):
    people = demo_records(registry.get("2115000001"), 10)
    upload(store, registry, "2115000001", "新城区", people)
    stats = store.statistics("呼和浩特市", DAY)
    assert stats["kind"] == {"中小学": 10}
    assert sum(stats["sex"].values()) == 10
    assert stats["sex"]["1-男"] == sum(1 for p in people if p["sex"] == "1-男")
    assert sum(stats["age_band"].values()) == 10 and sum(stats["age_pyramid"].values()) == 10
    assert store.statistics("信息中心", DAY)["kind"] == {}


def test_ministry_export_manifest_matches_the_files(store, registry):
    upload(store, registry, "2115000001", "新城区", demo_records(registry.get("2115000001"), 3))
    report_up(store, "2115000001")
    he = demo_records(registry.get("4115010126"), 2)
    he[0]["remark"] = "=HYPERLINK(\"http://x\",\"点\")"
    upload(store, registry, "4115010126", "信息中心", he)
    assert store.review("自治区", ["4115010126"], "approve")[0].ok
    upload(store, registry, "3415000002", "土左旗", demo_records(registry.get("3415000002"), 2))  # not reported

    data = store.ministry_export("自治区")
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = list(csv.DictReader(io.StringIO(archive.read(MANIFEST).decode("utf-8-sig"))))
    assert [m["学校标识码"] for m in manifest] == ["2115000001", "4115010126"]
    for row in manifest:
        member = next(n for n in archive.namelist() if n.split("/")[-1].startswith(row["学校标识码"] + "_"))
        assert hashlib.sha256(archive.read(member)).hexdigest() == row["SHA-256"]
    k12 = manifest[0]
    assert (k12["旗县审核人"], k12["盟市审核人"], k12["自治区审核人"]) == ("新城区审核员", "呼和浩特市审核员", "自治区审核员")
    assert manifest[1]["旗县审核人"] == "" and manifest[1]["自治区审核人"] == "自治区审核员"
    assert "中小学/2115000001_新城区第一小学_中小学教职工信息采集模板.xls" in archive.namelist()
    book = openpyxl.load_workbook(io.BytesIO(archive.read("高校/高校_汇总.xlsx")))
    sheet = book.worksheets[0]
    assert sheet.max_row == 3
    remark_col = [c.value for c in sheet[1]].index("备注")
    assert sheet.cell(row=2, column=remark_col + 1).value.startswith("'=HYPERLINK")


def test_only_the_region_exports(store):
    with pytest.raises(ExportNotAllowed):
        store.ministry_export("呼和浩特市")
