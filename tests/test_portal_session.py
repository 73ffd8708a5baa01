"""Session cookie flags, sign-out that outlives a copied cookie, CSRF, and the upload size limit."""

import io

import pytest
from conftest import PORTAL_PASSWORD, PORTAL_USERS
from portal_support import csrf_token

from portal import create_app
from portal.revocation import Revoked


@pytest.fixture
def default_app(tmp_path, registry):
    """A portal with the default (production) cookie settings."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
                      "FILES": str(tmp_path / "files")})
    store = app.extensions["staffrec_store"]
    store.init(registry)
    name, tier, territory = PORTAL_USERS[0]
    store.add_user(name, tier, territory, password=PORTAL_PASSWORD)
    yield app
    store.engine.dispose()


def sign_in(client, name="新城区"):
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"name": name, "password": PORTAL_PASSWORD, "csrf_token": token})


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_by_default(default_app):
    client = default_app.test_client()
    token = csrf_token(client, "https://localhost/auth/login")
    response = client.post("https://localhost/auth/login",
                           data={"name": "新城区", "password": PORTAL_PASSWORD, "csrf_token": token},
                           headers={"Referer": "https://localhost/auth/login"})  # Flask-WTF checks it over HTTPS
    assert response.status_code == 302
    (cookie,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and "secure" in flags and flags["samesite"] == "SameSite=Lax"


def session_cookie(client):
    return client.get_cookie("session").value


def test_a_cookie_copied_before_sign_out_no_longer_works(app, client):
    sign_in(client)
    copied = session_cookie(client)
    assert client.get("/datasets/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/datasets/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    # Signing in again gives a new session that works, and the old copy stays dead.
    sign_in(client)
    assert client.get("/datasets/").status_code == 200 and session_cookie(client) != copied
    assert thief.get("/datasets/").status_code == 302


def test_the_session_id_is_renewed_at_each_sign_in(client):
    sign_in(client)
    with client.session_transaction() as session:
        first = session["_sid"]
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client)
    with client.session_transaction() as session:
        assert session["_sid"] != first


def test_a_session_fixed_before_sign_in_is_not_kept(app, client):
    with client.session_transaction() as session:
        session["_sid"] = "chosen-by-the-attacker"
        session["planted"] = "x"
    sign_in(client)
    with client.session_transaction() as session:
        assert session["_sid"] != "chosen-by-the-attacker" and "planted" not in session


def test_the_revoked_set_is_bounded():
    revoked = Revoked(max_ids=10)
    for number in range(1000):
        revoked.add(str(number))
    assert len(revoked) == 10 and "999" in revoked and "0" not in revoked


def test_every_form_needs_its_csrf_token(client):
    sign_in(client)
    for url, data in [
        ("/auth/logout", {}), ("/datasets/bulk", {"school_id": "2115000001", "action": "approve"}),
        ("/datasets/2115000001/act", {"action": "approve"}), ("/datasets/county/150102/act", {"action": "approve"}),
        ("/uploads/new", {"mode": "check"}), ("/export/", {}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 400 and "表单已失效" in response.get_data(as_text=True), url
        response = client.post(url, data={**data, "csrf_token": "forged"})
        assert response.status_code == 400, url


def test_an_upload_over_the_limit_answers_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    sign_in(client)
    token = csrf_token(client, "/uploads/new")
    response = client.post("/uploads/new", content_type="multipart/form-data",
                           data={"csrf_token": token, "mode": "check", "file": (io.BytesIO(b"x" * 4096), "a.zip")})
    assert response.status_code == 413 and "文件太大" in response.get_data(as_text=True)
