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
