"""Sign-in throttling: per name and per address, reset on success, bounded, thread-safe."""

import threading

from conftest import PORTAL_PASSWORD
from portal_support import csrf_token

from portal.throttle import Throttle, minutes

BLOCKED = "尝试次数过多"


def sign_in(client, name, password, address="10.0.0.1"):
    """POST the sign-in form from a client address; return the response."""
    token = csrf_token(client, "/auth/login")
    return client.post(
        "/auth/login", data={"name": name, "password": password, "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": address},
    )


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_five_failures_block_the_name_without_checking_the_password(client, monkeypatch, caplog):
    import portal.auth as auth_module

    for attempt in range(5):
        page = sign_in(client, "新城区", "wrong", address=f"10.0.1.{attempt}")
        assert page.status_code == 200 and "用户名或密码不正确" in page.get_data(as_text=True)
    checked = []
    monkeypatch.setattr(auth_module, "check_password", lambda *a: checked.append(a) or True)
    page = sign_in(client, "新城区", PORTAL_PASSWORD, address="10.0.2.1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "尝试次数过多，请 15 分钟后再试" in text and 'name="password"' in text
    assert checked == [] and client.get("/").status_code == 302
    assert "sign-in throttled" in caplog.text
    assert sign_in(client, "昆都仑区", PORTAL_PASSWORD, address="10.0.2.1").status_code == 302  # other names are free


def test_five_failures_block_the_address_for_every_name(client):
    for name in ["a", "b", "c", "d", "e"]:
        assert "用户名或密码不正确" in sign_in(client, name, "x", address="10.9.9.9").get_data(as_text=True)
    assert BLOCKED in sign_in(client, "新城区", PORTAL_PASSWORD, address="10.9.9.9").get_data(as_text=True)
    assert sign_in(client, "新城区", PORTAL_PASSWORD, address="10.9.9.8").status_code == 302


def test_a_success_resets_the_name(client):
    for attempt in range(4):
        sign_in(client, "新城区", "wrong", address=f"10.0.3.{attempt}")
    assert sign_in(client, "新城区", PORTAL_PASSWORD, address="10.0.4.1").status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    for attempt in range(4):
        sign_in(client, "新城区", "wrong", address=f"10.0.5.{attempt}")
    assert sign_in(client, "新城区", PORTAL_PASSWORD, address="10.0.6.1").status_code == 302


def test_limits_come_from_the_config(app, client):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_SECONDS=120)
    app.extensions.pop("staffrec_throttle", None)
    sign_in(client, "新城区", "wrong")
    sign_in(client, "新城区", "wrong", address="10.0.0.2")
    assert "请 2 分钟后再试" in sign_in(client, "新城区", PORTAL_PASSWORD, address="10.0.0.3").get_data(as_text=True)


def test_the_window_slides():
    clock = Clock()
    throttle = Throttle(max_failures=3, window=60, clock=clock)
    for _ in range(3):
        throttle.failed("k")
        clock.now += 10
    assert throttle.wait_seconds("k") == 30 and throttle.wait_seconds("other") == 0
    clock.now += 31
    assert throttle.wait_seconds("k") == 0
    throttle.failed("k")
    assert throttle.wait_seconds("k") == 9  # the first failure expired; the second expires 9 s from now
    assert minutes(0.5) == 1 and minutes(61) == 2 and minutes(900) == 15


def test_memory_is_bounded():
    clock = Clock()
    throttle = Throttle(max_failures=5, window=60, max_keys=100, clock=clock)
    for number in range(10_000):
        throttle.failed(f"name:{number}", "address:1.2.3.4")
    assert len(throttle) <= 100
    assert throttle.wait_seconds("address:1.2.3.4") > 0  # the busiest key is the most recent, never evicted
    clock.now += 61
    throttle.wait_seconds(*[f"name:{n}" for n in range(9_950, 10_000)])
    assert len(throttle) <= 51


def test_threads_count_every_failure():
    throttle = Throttle(max_failures=1000, window=60, max_keys=50)

    def hammer(number):
        for _ in range(100):
            throttle.failed("shared", f"own:{number}")

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(throttle._failures["shared"]) == 800 and len(throttle) == 9
