"""`make demo` (portal.demo): the demo region at every review state, its accounts, and a rebuild."""

from portal_support import csrf_token

from portal import create_app
from portal.demo import USERS, build, print_accounts
from staffrec.review import State
from staffrec.store import Store

EXPECTED = {
    "2115000001": State.AT_COUNTY,
    "2115000002": State.AT_COUNTY,
    "3415000001": State.AT_CITY,
    "3615000001": State.AT_REGION,
    "3615000002": State.RETURNED_TO_CITY,
    "5115000001": State.REPORTED,
    "3715000001": State.NOT_UPLOADED,
    "4115018101": State.AT_REGION,
}


def test_demo_builds_every_state_and_rebuilds_from_scratch(tmp_path):
    out = tmp_path / "demo"
    lines = []
    build(out, echo=lines.append)
    (out / "uploads" / "stray.txt").write_text("x")
    config = build(out, echo=lines.append)  # a second run starts again from nothing
    assert not (out / "uploads" / "stray.txt").exists()

    store = Store(config["DATABASE_URL"], config["FILES"])
    assert {school: State(store.state_of(school)) for school in EXPECTED} == EXPECTED
    with store.engine.connect() as conn:
        versions = conn.exec_driver_sql("select count(*) from versions").scalar()
        returns = conn.exec_driver_sql("select reason from review_events where action = 'return'").scalars().all()
    assert versions == 7  # one version per accepted file; the faulty one was refused
    assert returns == ["部分教职工的岗位等级与专业技术职务不对应，请学校核对后重新上传。"]

    # Completeness of the demo region as the city sees it: 新城区's K-12 schools at every stage.
    xincheng = next(row for row in store.completeness("hohhot") if row.code == "150102")
    assert xincheng.waiting == {State.AT_COUNTY: 2, State.AT_CITY: 1, State.AT_REGION: 1}
    assert (xincheng.returned, xincheng.reported) == (1, 1)
    assert len(xincheng.missing) == xincheng.total - 6 and "3715000001" in {m.school_id for m in xincheng.missing}
    region = store.completeness("region", by="city")
    assert sum(row.total for row in region) == 507 and sum(row.reported for row in region) == 1
    store.engine.dispose()

    text = "\n".join(lines)
    assert "拒收：3715000001_呼和浩特市工读学校_中小学教职工信息采集模板.xls" in text
    assert "条警告" in text
    assert sorted(p.name for p in (out / "uploads").iterdir()) == [
        "4115018101_内蒙古青城理工大学_高校教职工信息采集模板.xls",
        "5115000001_呼和浩特市特殊教育学校_特教教职工信息采集模板.xls",
        "修改后",
        "新城区_中小学.zip",
        "新城区_中职.zip",
    ]
    assert config["SESSION_COOKIE_SECURE"] is False


def test_demo_accounts_sign_in_with_their_printed_passwords(tmp_path):
    config = build(tmp_path / "demo", echo=lambda line: None)
    printed = []
    print_accounts(echo=printed.append)
    client = create_app(config).test_client()
    for name, _tier, _territory, display, password in USERS:
        assert any(name in line and password in line for line in printed)
        token = csrf_token(client, "/auth/login")
        answer = client.post("/auth/login", data={"name": name, "password": password, "csrf_token": token})
        assert answer.status_code == 302, name
        assert display in client.get("/").get_data(as_text=True)
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
