"""The upload page: one file or a ZIP, check only or check and submit, progress, results, annotated copies."""

import io
import re
import threading
import time
import zipfile
from urllib.parse import quote

import openpyxl
from portal_support import csrf_token
from sqlalchemy import func, select

from staffrec import new_template
from staffrec.annotate import LIST_SHEET
from staffrec.demo_staff import demo_records
from staffrec.store.schema import versions

SIGNOFF = {"entered_by": "李明", "checked_by": "王芳"}
JOB_URL = re.compile(r"^/uploads/([A-Za-z0-9_-]{20,})$")
STATUS_KEYS = {"id", "state", "finished", "done", "total", "accepted", "rejected", "message", "error"}


def upload_of(registry, school_id, count=3, seed=0, **changes):
    """Return (file name, bytes) of a filled template of a registry school, with changed records."""
    school = registry.get(school_id)
    people = demo_records(school, count, seed=seed)
    for person in people:
        person.update(changes)
    template = new_template(school, people, signoff=SIGNOFF)
    return template.file_name(), template.to_bytes()


def zip_of(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def post_upload(client, name, data, mode="check"):
    token = csrf_token(client, "/uploads/new")
    return client.post(
        "/uploads/new",
        data={"csrf_token": token, "mode": mode, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def wait_for(client, job_url, timeout=60):
    """Poll the job's status JSON until it has finished; return the last status."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"{job_url}/status")
        assert response.status_code == 200
        status = response.get_json()
        if status["finished"]:
            return status
        assert time.monotonic() < deadline, f"job still running: {status}"
        time.sleep(0.05)


def run_upload(client, name, data, mode="check"):
    """Upload, follow to the job page, wait for the job; return (job url, status, finished page text)."""
    response = post_upload(client, name, data, mode)
    assert response.status_code == 302, response.get_data(as_text=True)
    job_url = response.headers["Location"]
    assert JOB_URL.match(job_url)
    status = wait_for(client, job_url)
    page = client.get(job_url)
    assert page.status_code == 200
    return job_url, status, page.get_data(as_text=True)


def version_count(app):
    with app.extensions["staffrec_store"].engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(versions)).scalar()


def test_the_form_offers_check_and_submit_to_a_county(client, auth):
    auth.login("新城区")
    page = client.get("/uploads/new").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'enctype="multipart/form-data"' in page
    assert "仅检查" in page and "检查并提交" in page


def test_tiers_that_do_not_upload_get_no_form(client, auth, app, registry):
    name, data = upload_of(registry, "2115000001")
    for user in ("呼和浩特市", "自治区", "内蒙古大学"):
        auth.login(user)
        page = client.get("/uploads/new").get_data(as_text=True)
        assert "上传由旗县教育局办理" in page and 'enctype="multipart/form-data"' not in page
        response = client.post(
            "/uploads/new",
            data={"csrf_token": csrf_token(client, "/"), "mode": "check", "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 403 and "上传由旗县教育局办理" in response.get_data(as_text=True)
        auth.logout()
    assert version_count(app) == 0


def test_dry_run_of_a_valid_file_stores_nothing(client, auth, app, registry):
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    _url, status, page = run_upload(client, name, data, mode="check")
    assert (status["state"], status["accepted"], status["rejected"]) == ("done", 1, 0)
    assert name in page and "检查通过（仅检查，未提交）" in page and "新城区第一小学" in page
    assert app.extensions["staffrec_store"].state_of("2115000001") == "not_uploaded"
    assert version_count(app) == 0


def test_submitting_a_valid_file_makes_version_1(client, auth, app, registry):
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    _url, status, page = run_upload(client, name, data, mode="submit")
    assert (status["accepted"], status["rejected"]) == (1, 0)
    assert "已通过，已提交为第 1 版" in page
    assert app.extensions["staffrec_store"].state_of("2115000001") == "at_county"
    assert version_count(app) == 1


def test_a_zip_with_a_good_and_a_bad_file(client, auth, app, registry):
    auth.login("新城区")
    good = upload_of(registry, "2115000001")
    bad_name, bad_data = upload_of(registry, "3415000002", sex="男性")  # same kind, an unknown code
    job_url, status, page = run_upload(client, "新城区.zip", zip_of([good, (bad_name, bad_data)]), mode="submit")
    assert (status["done"], status["total"], status["accepted"], status["rejected"]) == (2, 2, 1, 1)
    lines = re.findall(r'<li class="result (accepted|rejected)">', page)
    assert lines == ["accepted", "rejected"]
    assert "已通过，已提交为第 1 版" in page and "未通过，未提交" in page
    assert "（压缩包 新城区.zip）" in page
    assert "男性" in page and "性别" in page  # the bad file's finding: the cell and its column
    assert version_count(app) == 1

    # Each file that was read has its annotated workbook; the bad one lists its findings first.
    response = client.get(f"{job_url}/2/annotated")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    expected = bad_name.rsplit(".", 1)[0] + "_校验结果.xlsx"
    assert f"filename*=UTF-8''{quote(expected)}" in response.headers["Content-Disposition"]
    assert f'href="{job_url}/2/annotated"' in page and expected in page
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == LIST_SHEET
    listed = [str(c.value) for row in book[LIST_SHEET].iter_rows() for c in row if c.value is not None]
    assert "男性" in listed
    assert client.get(f"{job_url}/1/annotated").status_code == 200
    assert client.get(f"{job_url}/3/annotated").status_code == 404


def test_an_unreadable_member_gets_its_own_line_without_an_annotated_copy(client, auth, registry):
    auth.login("新城区")
    good = upload_of(registry, "2115000001")
    job_url, status, page = run_upload(client, "批量.zip", zip_of([good, ("../逃逸.xls", b"x")]))
    assert (status["accepted"], status["rejected"]) == (1, 1)
    assert len(re.findall(r'<li class="result ', page)) == 2
    # The rejected path never was read: no report, no annotated workbook.
    assert f"{job_url}/1/annotated" not in page and client.get(f"{job_url}/1/annotated").status_code == 404
    assert f"{job_url}/2/annotated" in page


def test_the_status_json(client, auth, registry):
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    job_url = post_upload(client, name, data).headers["Location"]
    first = client.get(f"{job_url}/status")
    assert first.headers["Cache-Control"] == "no-store"
    status = first.get_json()
    assert set(status) == STATUS_KEYS and status["id"] == job_url.rsplit("/", 1)[1]
    assert status["state"] in ("queued", "running", "done") and isinstance(status["message"], str)
    final = wait_for(client, job_url)
    assert set(final) == STATUS_KEYS
    assert final == {
        "id": status["id"], "state": "done", "finished": True, "done": 1, "total": 1, "accepted": 1,
        "rejected": 0, "message": "处理完毕：共 1 个文件，通过 1 个，未通过 0 个。", "error": None,
    }


def test_the_page_shows_progress_while_the_job_runs(client, auth, app, registry, monkeypatch):
    """A job held in the middle of the real worker thread: the page polls and shows files done / total."""
    store = app.extensions["staffrec_store"]
    release, reached = threading.Event(), threading.Event()
    real_ingest = store.ingest

    def held_ingest(uploads, user, dry_run=False, progress=None, **kwargs):
        def held_progress(done, total):
            progress(done, total)
            if done == 1:
                reached.set()
                assert release.wait(30)

        return real_ingest(uploads, user, dry_run=dry_run, progress=held_progress, **kwargs)

    monkeypatch.setattr(store, "ingest", held_ingest)
    auth.login("新城区")
    good = upload_of(registry, "2115000001")
    other = upload_of(registry, "3415000002")  # same kind, another county: refused, but read
    job_url = post_upload(client, "two.zip", zip_of([good, other])).headers["Location"]
    try:
        assert reached.wait(30)
        status = client.get(f"{job_url}/status").get_json()
        assert (status["state"], status["done"], status["total"], status["finished"]) == ("running", 1, 2, False)
        assert status["message"] == "正在检查：已完成 1 / 2 个文件"
        page = client.get(job_url).get_data(as_text=True)
        assert "已完成 1 / 2 个文件" in page and 'value="1"' in page
        assert f'data-status-url="{job_url}/status"' in page and "upload_job.js" in page
        assert '<noscript><meta http-equiv="refresh"' in page
    finally:
        release.set()
    assert wait_for(client, job_url)["state"] == "done"
    assert "<noscript>" not in client.get(job_url).get_data(as_text=True)


def test_another_user_gets_404_for_the_job(client, auth, app, registry):
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    job_url, _status, _page = run_upload(client, name, data)
    other = app.test_client()
    token = csrf_token(other, "/auth/login")
    other.post("/auth/login", data={"name": "昆都仑区", "password": "test-password", "csrf_token": token})
    for url in (job_url, f"{job_url}/status", f"{job_url}/1/annotated"):
        assert other.get(url).status_code == 404
        assert client.get(url).status_code == 200
    assert other.get("/uploads/not-a-job").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(job_url).status_code == 302


def test_a_file_over_the_size_limit_gets_the_413_page(client, auth, app):
    auth.login("新城区")
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = post_upload(client, "big.zip", b"x" * 4096)
    assert response.status_code == 413 and "文件太大" in response.get_data(as_text=True)


def test_a_missing_file_is_a_chinese_error(client, auth):
    auth.login("新城区")
    token = csrf_token(client, "/uploads/new")
    response = client.post("/uploads/new", data={"csrf_token": token, "mode": "check"})
    assert response.status_code == 400 and "请选择要上传的文件" in response.get_data(as_text=True)


def test_other_file_types_are_refused_in_chinese(client, auth):
    auth.login("新城区")
    response = post_upload(client, "名单.csv", b"a,b\n")
    assert response.status_code == 400 and "只能上传 .xls、.xlsx 文件" in response.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(client, auth):
    auth.login("新城区")
    response = client.post(
        "/uploads/new", data={"mode": "check", "file": (io.BytesIO(b"x"), "a.xls")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_an_error_in_the_worker_ends_the_job_with_a_message(client, auth, app, registry, monkeypatch):
    store = app.extensions["staffrec_store"]

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "ingest", broken)
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    _url, status, page = run_upload(client, name, data, mode="submit")
    assert status["state"] == "failed" and status["finished"] and "系统出错" in status["error"]
    assert "系统出错" in page and "disk on fire" not in page and "重新上传" in page


def test_a_user_may_run_only_a_few_jobs_at_once(client, auth, app, registry):
    jobs = app.extensions["staffrec_jobs"]
    jobs.per_user = 0
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    response = post_upload(client, name, data)
    assert response.status_code == 400 and "正在处理" in response.get_data(as_text=True)


def test_finished_jobs_expire_with_their_files(client, auth, app, registry):
    jobs = app.extensions["staffrec_jobs"]
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    job_url, _status, _page = run_upload(client, name, data)
    job = jobs.get(job_url.rsplit("/", 1)[1], app.extensions["staffrec_store"].user("新城区").id)
    assert job is not None and (job.folder / "1.bin").read_bytes() == data
    assert not (job.folder / "upload").exists()  # the upload itself goes once it is checked
    jobs.ttl = 0
    time.sleep(0.01)
    assert client.get(job_url).status_code == 404
    assert not job.folder.exists()


def test_job_ids_are_unguessable(client, auth, registry):
    auth.login("新城区")
    name, data = upload_of(registry, "2115000001")
    ids = {post_upload(client, name, data).headers["Location"].rsplit("/", 1)[1] for _ in range(3)}
    assert len(ids) == 3 and all(len(i) >= 32 for i in ids)
    for job_id in ids:
        wait_for(client, f"/uploads/{job_id}")


def test_the_info_centre_submits_a_university_file(client, auth, app, registry):
    auth.login("信息中心")
    name, data = upload_of(registry, "4115010126")
    _url, status, page = run_upload(client, name, data, mode="submit")
    assert status["accepted"] == 1 and "已通过，已提交为第 1 版" in page
    assert app.extensions["staffrec_store"].state_of("4115010126") == "at_region"
