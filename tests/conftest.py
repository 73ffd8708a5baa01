"""Shared fixtures: the shipped catalogue and a small registry written as a literal."""

import pytest

from staffrec import biff_text
from staffrec.catalogue import catalogue as shipped_catalogue
from staffrec.registry import parse_registry

REGISTRY_CSV = """学校标识码,学校名称,学校类别,所在旗县代码,办学性质
2115000001,新城区第一小学,21,150102,1
3415000002,土默特左旗第一中学,34,150121,1
3115000003,昆都仑区育才民办学校,31,150203,2
3615000004,包头市第一中等职业学校,36,150203,1
5115000005,呼伦贝尔市特殊教育学校,51,150702,1
4115010126,内蒙古大学,41,150105,1
"""


@pytest.fixture
def cat():
    return shipped_catalogue()


@pytest.fixture
def registry_text():
    return REGISTRY_CSV


@pytest.fixture
def registry(cat):
    return parse_registry(REGISTRY_CSV, catalogue=cat)


@pytest.fixture
def school_of_kind(registry, cat):
    """Return a function giving the registry's first school that fills templates of a kind."""

    def pick(kind_name):
        return next(s for s in registry if s.kind(cat).name == kind_name)

    return pick


CHECK_DAY = __import__("datetime").date(2026, 9, 15)


@pytest.fixture
def check_one(registry, school_of_kind, cat):
    """Validate a template of one valid demo person of a kind, with raw changes applied.

    `changes` maps indicator keys to cell text, or to (raw value, CellKind) to simulate how the
    cell was stored; `school` picks another registry school; `signoff` overrides the sign-off.
    """
    from staffrec.cells import Cell, CellKind, make_cell
    from staffrec.checks import validate
    from staffrec.demo_staff import demo_records
    from staffrec.records import Record
    from staffrec.template import Template

    def check(kind_name, school=None, signoff=None, use_registry=True, rows=None, **changes):
        school = registry.get(school) if school else school_of_kind(kind_name)
        kind = cat.kind(kind_name)
        people = rows or [dict(changes)]
        base = demo_records(school, len(people), seed=7)
        records = []
        for number, (person, person_changes) in enumerate(zip(base, people), start=4):
            person.update({k: v for k, v in person_changes.items()})
            cells = []
            for key in kind.keys:
                value = person[key]
                raw, stored = value if isinstance(value, tuple) else (value, CellKind.TEXT)
                cells.append(make_cell(raw, stored))
            records.append(Record(kind.keys, tuple(c.text for c in cells), row=number, cells=tuple(cells)))
        template = Template(
            school.id, school.name, kind, records=records,
            signoff=signoff if signoff is not None else {"entered_by": "李明", "checked_by": "王芳"},
            catalogue=cat,
        )
        return validate(template, registry=registry if use_registry else None, today=CHECK_DAY)

    return check


PORTAL_USERS = [
    # name, tier, territory
    ("新城区", "county", "150102"),
    ("昆都仑区", "county", "150203"),
    ("呼和浩特市", "city", "150100"),
    ("包头市", "city", "150200"),
    ("自治区", "region", "150000"),
    ("信息中心", "info_centre", "150000"),
    ("内蒙古大学", "school", "4115010126"),
]
PORTAL_PASSWORD = "test-password"


@pytest.fixture
def app(tmp_path, registry):
    """A portal over a fresh SQLite store holding the test registry and one user per role."""
    from portal import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
            "FILES": str(tmp_path / "files"),
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )
    store = app.extensions["staffrec_store"]
    store.init(registry)
    for name, tier, territory in PORTAL_USERS:
        store.add_user(name, tier, territory, password=PORTAL_PASSWORD)
    yield app
    store.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real forms, CSRF token included."""

    def __init__(self, client):
        self._client = client

    def login(self, name="新城区", password=PORTAL_PASSWORD):
        from portal_support import csrf_token

        token = csrf_token(self._client, "/auth/login")
        return self._client.post("/auth/login", data={"name": name, "password": password, "csrf_token": token})

    def logout(self):
        from portal_support import csrf_token

        return self._client.post("/auth/logout", data={"csrf_token": csrf_token(self._client, "/")})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def compiled_parses(monkeypatch):
    """Record the arguments of every call of the compiled .xls reader (staffrec/_biff.c) during the test."""
    calls, real = [], biff_text._biff

    class Spy:
        rows = staticmethod(real.rows)

        @staticmethod
        def parse(*args):
            calls.append(args)
            return real.parse(*args)

    monkeypatch.setattr(biff_text, "_biff", Spy)
    return calls
