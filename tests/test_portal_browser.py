"""End to end in a real browser: Debian's Chromium, headless, driven by Selenium through chromedriver.

The portal runs under waitress on 127.0.0.1 (a free port) in a thread, over a fresh SQLite store. The
walk: the county uploads a ZIP of two schools' files, sees the results and submits; the city approves
the county; the region returns one school with a reason; the city passes it down with a note; the county
re-uploads the fixed file; the chain approves both schools up to 已上报教育部. Then the region looks at its
tools: the diff of the re-uploaded school, a printable form (on screen and as printed), a whole school's
forms, a blank form, the Ministry export, completeness, statistics and the audit log. Every page is saved as a
screenshot under the test's tmp_path (`screenshots/`), and copied to `test-output/screenshots/` in the
repository when STAFFREC_SCREENSHOTS is set.

Chromium and chromedriver come from `tools/install-system-packages` (run by `make test`); when they are
missing the test fails with a message saying so (it is never skipped).
"""

import io
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import PORTAL_PASSWORD, REGISTRY_CSV

from staffrec.demo_staff import demo_records
from staffrec.registry import parse_registry
from staffrec.template import new_template

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("STAFFREC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("STAFFREC_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
    "--window-size=1280,900",
)
WAIT = 60  # seconds any one page may take (the upload of a ZIP included)
SIGNOFF = {"entered_by": "李明", "checked_by": "王芳"}

# A second school in 新城区, so the county's ZIP holds two schools.
SECOND_SCHOOL = "2115000007,新城区第二小学,21,150102,1\n"
FIRST, SECOND = "2115000001", "2115000007"
FIRST_NAME, SECOND_NAME = "新城区第一小学", "新城区第二小学"
COUNTY, CITY, REGION = "新城区", "呼和浩特市", "自治区"
ROLES = {COUNTY: "county", CITY: "city", REGION: "region"}  # for the screenshots' file names
RETURN_REASON = "第5行教职工的出生日期与身份证号不一致，请核对。"
PASS_DOWN_NOTE = "请新城区组织学校按自治区意见核对后重新上传。"


@pytest.fixture
def registry(cat):
    """The shared test registry with one more 新城区 school (overrides conftest's for the `app` fixture)."""
    return parse_registry(REGISTRY_CSV + SECOND_SCHOOL, catalogue=cat)


@pytest.fixture
def server(app):
    """The portal under waitress on 127.0.0.1 and a free port, in a thread; yields its base URL."""
    from waitress.server import create_server

    app.config["TESTING"] = False  # a failing view gives the error page, as in production
    instance = create_server(app, host="127.0.0.1", port=0, threads=4, ident="staffrec-test")
    thread = threading.Thread(target=instance.run, name="portal-under-test", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{instance.effective_port}"
    instance.close()
    thread.join(10)


@pytest.fixture
def driver(tmp_path):
    """Headless Debian Chromium through Debian's chromedriver (Selenium Manager is never asked)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover - the test extra installs selenium
        pytest.fail("selenium is not installed: pip install -e '.[test]' (make test does it).", pytrace=False)
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(
            f"the browser test needs Debian's chromium and chromium-driver; missing: {', '.join(missing)}. "
            "Run tools/install-system-packages (make test does), or apt-get install chromium chromium-driver.",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options.add_argument(f"--user-data-dir={profile}")
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    browser = webdriver.Chrome(service=service, options=options)
    browser.set_page_load_timeout(WAIT)
    yield browser
    browser.quit()


@pytest.fixture
def screenshots(tmp_path):
    """The folder of the test's screenshots; copied to test-output/screenshots/ when asked."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    yield folder
    if os.environ.get("STAFFREC_SCREENSHOTS"):
        target = REPO / "test-output" / "screenshots"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)


class Portal:
    """The portal as a person uses it: pages, forms, buttons by their Chinese text, a screenshot each."""

    def __init__(self, driver, base, screenshots):
        self.driver = driver
        self.base = base
        self.folder = screenshots
        self.taken = []

    # -- seeing ----------------------------------------------------------------------------------------
    def shot(self, name):
        """Save the whole page (the window grows to its height) as NN-name.png."""
        self.driver.set_window_size(1280, 900)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, min(max(int(height) + 120, 900), 6000))
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        assert self.driver.save_screenshot(str(path)), f"no screenshot {path}"
        self.taken.append(path)
        return path

    @property
    def text(self):
        return self.driver.find_element(self.by.TAG_NAME, "body").text

    @property
    def by(self):
        from selenium.webdriver.common.by import By

        return By

    def wait(self, condition, message, timeout=WAIT):
        """Wait until `condition(driver)` holds; a page being replaced meanwhile is no failure."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        waiting = WebDriverWait(self.driver, timeout, poll_frequency=0.2, ignored_exceptions=(WebDriverException,))
        return waiting.until(condition, message)

    def wait_for_text(self, text, timeout=WAIT):
        self.wait(lambda d: text in d.find_element(self.by.TAG_NAME, "body").text, f"page never showed {text!r}", timeout)

    def flashes(self):
        return [e.text for e in self.driver.find_elements(self.by.CSS_SELECTOR, "p.flash")]

    # -- moving ----------------------------------------------------------------------------------------
    def open(self, path):
        self.driver.get(self.base + path)
        assert "系统出错" not in self.driver.title, f"{path} answered with the error page"

    def submit(self, button):
        """Click a button that submits a form and wait until the next page has loaded in its place."""
        from selenium.common.exceptions import WebDriverException

        marker = f"page-{len(self.taken)}-{id(button)}"
        self.driver.execute_script("window.staffrecPage = arguments[0];", marker)
        label = button.text or button.get_attribute("value")
        button.click()

        def next_page(driver):
            try:
                return driver.execute_script(
                    "return window.staffrecPage !== arguments[0] && document.readyState === 'complete';", marker
                )
            except WebDriverException:  # the old page is going away under our feet
                return False

        self.wait(next_page, f"clicking {label!r} loaded no page")
        assert "系统出错" not in self.driver.title, f"clicking {label!r} gave the error page"

    def button(self, text, within=None):
        """The visible button whose text is `text` (inside `within`, an element, when given)."""
        scope = within or self.driver
        found = [b for b in scope.find_elements(self.by.XPATH, f".//button[normalize-space()='{text}']") if b.is_displayed()]
        assert found, f"no button {text!r} on {self.driver.current_url}"
        return found[0]

    def sign_in(self, name, password=PORTAL_PASSWORD):
        self.open("/auth/login")
        self.driver.find_element(self.by.NAME, "name").send_keys(name)
        self.driver.find_element(self.by.NAME, "password").send_keys(password)
        self.shot(f"{ROLES[name]}-sign-in")
        self.submit(self.button("登录"))
        header = self.driver.find_element(self.by.TAG_NAME, "header").text
        assert "退出" in header, f"{name} is not signed in: {self.text[:200]}"
        self.shot(f"{ROLES[name]}-home")

    def sign_out(self):
        self.submit(self.button("退出", self.driver.find_element(self.by.TAG_NAME, "header")))
        assert "/auth/login" in self.driver.current_url
        assert self.driver.find_element(self.by.NAME, "password")

    # -- the portal's pages ----------------------------------------------------------------------------
    def states(self):
        """School name -> the state label shown on 全部数据."""
        self.open("/datasets/")
        shown = {}
        for row in self.driver.find_elements(self.by.CSS_SELECTOR, "table.datasets tbody tr"):
            name = row.find_element(self.by.CSS_SELECTOR, "td a").text
            # The label is the cell's first line; a link such as 待重新上传 may follow it.
            shown[name] = row.find_element(self.by.CSS_SELECTOR, "td[class^='state-']").text.splitlines()[0]
        return shown

    def assert_states(self, expected, shot):
        shown = self.states()
        self.shot(shot)
        assert {name: shown.get(name) for name in expected} == expected

    def act_on_school(self, school_id, action, reason=None, shot=None):
        """On the school's page, take `action` (approve | return | pass_down) with a reason or note."""
        self.open(f"/datasets/{school_id}")
        form = self.driver.find_element(self.by.CSS_SELECTOR, f"form.act-{action}")
        if reason is not None:
            form.find_element(self.by.NAME, "reason").send_keys(reason)
        if shot:
            self.shot(shot)
        self.submit(form.find_element(self.by.CSS_SELECTOR, "button[type=submit]"))

    def detail_state(self):
        return self.driver.find_element(self.by.CSS_SELECTOR, "table.facts td[class^='state-']").text.splitlines()[0]


def school_file(registry, school_id, seed=0, fixed=False):
    """A valid filled template of a school: (file name, bytes)."""
    school = registry.get(school_id)
    template = new_template(school, demo_records(school, 6, seed=seed + (10 if fixed else 0)), signoff=SIGNOFF)
    return template.file_name(), template.to_bytes()


def write_zip(path, files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def portal(driver, server, screenshots):
    return Portal(driver, server, screenshots)


def test_upload_review_return_and_report_in_a_real_browser(portal, registry, tmp_path):
    try:
        walk(portal, registry, tmp_path)
    except Exception:
        try:
            portal.shot("failure")
        except Exception:  # the browser may be what failed; the original error matters more
            pass
        raise
    assert len(portal.taken) >= 20
    assert all(p.stat().st_size > 5000 for p in portal.taken)


def walk(portal, registry, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    batch = write_zip(uploads / "新城区.zip", [school_file(registry, FIRST), school_file(registry, SECOND)])
    fixed_name, fixed_data = school_file(registry, FIRST, fixed=True)
    fixed = uploads / fixed_name
    fixed.write_bytes(fixed_data)

    # The county uploads the ZIP: checks it first, sees one result line per file, then submits it.
    portal.sign_in(COUNTY)
    checked = upload(portal, batch, submit=False, count=2, shot="county-check-zip")
    assert any(FIRST_NAME in line for line in checked) and any(SECOND_NAME in line for line in checked)
    portal.assert_states({FIRST_NAME: "未上传", SECOND_NAME: "未上传"}, "county-all-after-check")
    submitted = upload(portal, batch, submit=True, count=2, shot="county-submit-zip")
    assert all("第 1 版" in line for line in submitted)
    portal.assert_states({FIRST_NAME: "待县审核", SECOND_NAME: "待县审核"}, "county-all-uploaded")
    # ... and approves both schools of its queue at once, forwarding them to the city.
    bulk(portal, [FIRST, SECOND], "approve", shot="county-queue-ticked")
    portal.shot("county-bulk-approve-results")
    assert portal.text.count("现为“待市审核”") == 2
    portal.assert_states({FIRST_NAME: "待市审核", SECOND_NAME: "待市审核"}, "county-all-at-city")
    portal.sign_out()

    # The city approves the county as a whole.
    portal.sign_in(CITY)
    county_action(portal, "150102", "通过本旗县全部待审核学校", shot="city-queue-by-county")
    portal.shot("city-county-approve-results")
    assert portal.text.count("现为“待区审核”") == 2
    portal.assert_states({FIRST_NAME: "待区审核", SECOND_NAME: "待区审核"}, "city-all-at-region")
    portal.sign_out()

    # The region approves one school and returns the other with a reason.
    portal.sign_in(REGION)
    portal.act_on_school(SECOND, "approve", shot="region-second-school-approve")
    assert portal.detail_state() == "已上报教育部"
    portal.act_on_school(FIRST, "return", RETURN_REASON, shot="region-first-school-return-reason")
    assert portal.detail_state() == "退回至盟市"
    assert RETURN_REASON in portal.text
    portal.shot("region-first-school-returned")
    portal.sign_out()

    # The city sees who returned it and why, and passes it down to the county with its own note.
    portal.sign_in(CITY)
    portal.open("/datasets/queue")
    portal.wait_for_text(RETURN_REASON)
    portal.shot("city-queue-returned-by-region")
    portal.act_on_school(FIRST, "pass_down", PASS_DOWN_NOTE, shot="city-first-school-pass-down-note")
    assert portal.detail_state() == "退回至县"
    portal.shot("city-first-school-passed-down")
    portal.sign_out()

    # The county sees the notes, has the school fix the file, and uploads it again; then approves it.
    portal.sign_in(COUNTY)
    portal.assert_states({FIRST_NAME: "退回至县", SECOND_NAME: "已上报教育部"}, "county-all-returned")
    assert RETURN_REASON in portal.text and PASS_DOWN_NOTE in portal.text
    (again,) = upload(portal, fixed, submit=True, count=1, shot="county-reupload")
    assert "第 2 版" in again
    portal.act_on_school(FIRST, "approve", shot="county-first-school-version-2")
    assert portal.detail_state() == "待市审核"
    assert "第 2 版" in portal.text
    portal.shot("county-first-school-approved")
    portal.sign_out()

    # The chain approves it again: city, then region, up to the Ministry.
    portal.sign_in(CITY)
    portal.act_on_school(FIRST, "approve", shot="city-first-school-approve")
    assert portal.detail_state() == "待区审核"
    portal.sign_out()
    portal.sign_in(REGION)
    portal.act_on_school(FIRST, "approve", shot="region-first-school-approve")
    assert portal.detail_state() == "已上报教育部"
    portal.assert_states({FIRST_NAME: "已上报教育部", SECOND_NAME: "已上报教育部"}, "region-all-reported")
    portal.sign_out()

    reviewer_tools(portal)


def reviewer_tools(portal):
    """The region's tools over the finished walk: diff, printable forms, export, then completeness,
    statistics and the audit log."""
    portal.sign_in(REGION)
    # The diff of the re-uploaded school: version 1 against version 2, from the dataset page's link.
    portal.open(f"/datasets/{FIRST}")
    portal.driver.find_element(portal.by.LINK_TEXT, "与上一版比较").click()
    portal.wait_for_text("按身份证件号比对")
    assert "第 1 版（" in portal.text and "第 2 版（" in portal.text
    for heading in ("新增人员", "删除人员", "信息变更人员"):
        assert heading in portal.text
    portal.shot("region-version-diff")
    # One person's printable form, as the screen shows it and as it prints (no navigation, a page each).
    portal.open(f"/datasets/{FIRST}")
    portal.driver.find_element(portal.by.CSS_SELECTOR, f"a[href='/datasets/{FIRST}/print/4']").click()
    portal.wait_for_text("中小学教职工基础信息采集表")
    assert "模板第 4 行" in portal.text and "本人签字" in portal.text and "学校（盖章）" in portal.text
    portal.shot("region-printable-form")
    portal.open(f"/datasets/{FIRST}/print")
    sheets = portal.driver.find_elements(portal.by.CSS_SELECTOR, "section.sheet")
    assert len(sheets) == 6
    portal.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not portal.driver.find_element(portal.by.TAG_NAME, "header").is_displayed()
        breaks = portal.driver.execute_script(
            "return [...document.querySelectorAll('section.sheet')].map(s => getComputedStyle(s).breakAfter);"
        )
        assert breaks == ["page"] * 5 + ["auto"], breaks
        portal.shot("region-printable-school-as-printed")
    finally:
        portal.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    portal.open("/print/blank/中职")
    assert "中职教职工基础信息采集表" in portal.text
    portal.shot("region-blank-form")
    # What the Ministry export would hold.
    portal.open("/export/")
    row = portal.driver.find_element(portal.by.XPATH, "//table[@class='export-summary']//tr[td[1]='中小学']")
    assert row.text.split() == ["中小学", "2", "12"], row.text
    portal.shot("region-ministry-export")
    # The pages of the completeness, statistics and audit reports.
    for path, heading, shot in (
        ("/reports/completeness", "完成情况", "region-completeness"),
        ("/reports/statistics", "统计", "region-statistics"),
        ("/audit/", "操作日志", "region-audit"),
    ):
        portal.open(path)
        assert heading in portal.driver.find_element(portal.by.TAG_NAME, "h1").text, (path, portal.text[:200])
        portal.shot(shot)
    portal.sign_out()


def bulk(portal, school_ids, action, reason=None, shot=None):
    """Tick schools in 待我审核 and take one action on them all."""
    portal.open("/datasets/queue")
    for school_id in school_ids:
        portal.driver.find_element(portal.by.CSS_SELECTOR, f"input[name=school_id][value='{school_id}']").click()
    form = portal.driver.find_element(portal.by.ID, "bulk")
    from selenium.webdriver.support.ui import Select

    Select(form.find_element(portal.by.NAME, "action")).select_by_value(action)
    if reason:
        form.find_element(portal.by.NAME, "reason").send_keys(reason)
    if shot:
        portal.shot(shot)
    portal.submit(form.find_element(portal.by.CSS_SELECTOR, "button[type=submit]"))


def county_action(portal, county_code, button_text, reason=None, shot=None):
    """In the city's 待我审核, press a county's own button (approve or return its whole county)."""
    portal.open("/datasets/queue")
    section = portal.driver.find_element(portal.by.ID, f"county-{county_code}")
    button = portal.button(button_text, section)
    if reason:
        button.find_element(portal.by.XPATH, "./ancestor::form").find_element(portal.by.NAME, "reason").send_keys(reason)
    if shot:
        portal.shot(shot)
    portal.submit(button)


def upload(portal, path, submit, count, shot):
    """Upload a file or ZIP on the upload page, wait for its `count` result lines, and check them."""
    portal.open("/uploads/new")
    portal.driver.find_element(portal.by.CSS_SELECTOR, "input[type=file][name=file]").send_keys(str(path))
    portal.driver.find_element(portal.by.CSS_SELECTOR, f"input[name=mode][value={'submit' if submit else 'check'}]").click()
    portal.shot(f"{shot}-form")
    portal.submit(portal.button("上传"))
    # The job page shows progress and reloads itself once every file is done.
    portal.wait(
        lambda d: d.find_elements(portal.by.CSS_SELECTOR, "ol.results, p.flash.error"),
        f"the upload of {path.name} never finished",
    )
    portal.shot(f"{shot}-results")
    lines = portal.driver.find_elements(portal.by.CSS_SELECTOR, "ol.results > li")
    assert len(lines) == count, portal.text
    expected = "已通过，已提交为第" if submit else "检查通过（仅检查，未提交）"
    for line in lines:
        assert "accepted" in line.get_attribute("class").split(), line.text
        assert expected in line.text, line.text
    return [line.text for line in lines]
