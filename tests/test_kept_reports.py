"""Reports kept with stored versions: what comes back is the report that was kept."""

import datetime

from staffrec.checks.report import Report
from staffrec.findings import Finding
from staffrec.store import Store
from staffrec.store.kept_reports import keep_report, kept_report
from staffrec.store.schema import versions

DAY = datetime.date(2026, 9, 15)
REPORT = Report(
    file="2115000001_新城区第一小学_中小学教职工信息采集模板.xls", kind="中小学", school_id="2115000001", rows=3,
    findings=(
        Finding("cell.variant", "warning", "性别填写了代码“1”，请从下拉列表中选择“1-男”。", "a.xls", 5, "性别", "1"),
        Finding("signoff.missing", "warning", "填表人未填写。"),
        Finding("id.check_digit", "error", "身份证件号校验位不对。", None, 6, "身份证件号", "15010219920331457'0"),
    ),
    counts={"error": 4, "warning": 2}, truncated=True,
)


def test_a_kept_report_comes_back_equal(registry, tmp_path):
    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    user = store.add_user("新城区", "county", "150102")
    with store.writer.begin() as conn:
        version_id = conn.execute(versions.insert().values(
            school_id="2115000001", number=1, file_hash="0" * 64, file_size=1, original_name="x.xls",
            template_version="", row_count=3, warning_count=2, uploaded_by=user.id,
            uploaded_at=datetime.datetime.now(datetime.timezone.utc))).inserted_primary_key[0]
        keep_report(conn, version_id, REPORT, DAY)
    with store.engine.connect() as conn:
        assert kept_report(conn, version_id) == (DAY, REPORT)
        assert kept_report(conn, version_id + 1) is None


def test_a_store_an_older_version_made_gets_the_table_and_keeps_its_data(registry, tmp_path):
    from sqlalchemy import text

    from portal import create_app
    from staffrec.errors import StaffrecError
    from staffrec.store.db import require_schema

    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    store.add_user("新城区", "county", "150102")
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE version_reports"))  # as a store made before reports were kept
    try:
        require_schema(store.engine)
    except StaffrecError as exc:
        assert "version_reports" in str(exc) and "staffrec db init" in str(exc)
    else:
        raise AssertionError("a missing table went unnoticed")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/s.db",
                      "FILES": str(tmp_path / "files")})
    require_schema(store.engine)
    assert store.user("新城区").territory == "150102"
    app.extensions["staffrec_store"].engine.dispose()
