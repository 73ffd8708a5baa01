from portal import create_app


def test_config_from_test_config_and_defaults(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "FILES": str(tmp_path)})
    assert app.testing and app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["MAX_CONTENT_LENGTH"] == 300 * 1024 * 1024
    assert app.config["SECRET_KEY"]


def test_login_page_and_sign_in(client, auth):
    page = client.get("/auth/login")
    assert page.status_code == 200 and "登录" in page.get_data(as_text=True)
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "新城区" in home and "旗县教育局" in home


def test_wrong_password(client, auth):
    response = auth.login(password="wrong")
    assert response.status_code == 200 and "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_pages_need_sign_in(client):
    response = client.get("/datasets/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_forms_without_csrf_token_are_refused(client, auth):
    assert client.post("/auth/login", data={"name": "新城区", "password": "test-password"}).status_code == 400
    auth.login()
    assert client.post("/auth/logout").status_code == 400


def test_logout(client, auth):
    auth.login()
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_open_redirect_after_login_is_refused(client):
    from portal_support import csrf_token

    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login?next=//evil.example/", data={"name": "新城区", "password": "test-password", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_redirect_targets_after_sign_in_are_plain_local_paths(client):
    from portal_support import csrf_token

    for target, expected in [
        ("/%09/evil.example", "/"), ("/\\evil.example", "/"), ("//evil.example", "/"),
        ("https://evil.example/", "/"), ("/datasets/queue", "/datasets/queue"),
    ]:
        client.post("/auth/logout")
        token = csrf_token(client, "/auth/login")
        response = client.post(f"/auth/login?next={target}", data={"name": "新城区", "password": "test-password", "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"] == expected, target


def test_a_fresh_session_at_sign_in(client, auth):
    from portal_support import csrf_token

    before = csrf_token(client, "/auth/login")
    auth.login()
    with client.session_transaction() as session:
        assert "_user_id" in session
    response = client.post("/datasets/bulk", data={"csrf_token": before, "school_id": "2115000001", "action": "approve"})
    assert response.status_code == 400  # a token from before sign-in is worthless afterwards


def test_unknown_names_take_as_long_to_refuse_as_known_ones(client, monkeypatch):
    import portal.auth as auth_module

    calls = []
    real = auth_module.check_password
    monkeypatch.setattr(auth_module, "check_password", lambda stored, pw: calls.append(stored) or real(stored, pw))
    from portal_support import csrf_token

    client.post("/auth/login", data={"name": "nobody", "password": "x", "csrf_token": csrf_token(client, "/auth/login")})
    assert calls == [auth_module.DUMMY_HASH]


def test_security_headers_and_chinese_error_pages(client, auth):
    auth.login()
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    wrong = client.get("/auth/logout")
    assert wrong.status_code == 405 and "操作方式不对" in wrong.get_data(as_text=True)


def test_an_empty_secret_key_file_is_replaced(tmp_path):
    from types import SimpleNamespace

    from portal import _secret_key

    (tmp_path / "secret_key").write_text("")
    key = _secret_key(SimpleNamespace(instance_path=str(tmp_path)))
    assert len(key) == 64 and (tmp_path / "secret_key").read_text() == key
