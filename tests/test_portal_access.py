"""Every role against every endpoint of the portal: inside the territory 200/302, outside 404.

The endpoints are read from `app.url_map` when the test runs, so a view added later is covered without
touching this file: a parameter naming a school or a county is filled with one inside and one outside
the role's territory; any other parameter is filled with a value that names nothing (always 404).
The review endpoints have an explicit table below. Every POST without a CSRF token answers 400.
"""

import pytest
from portal_support import csrf_token
from werkzeug.routing import IntegerConverter

import staffrec
from staffrec.demo_staff import demo_records

XINCHENG, VOCATIONAL, UNIVERSITY = "2115000001", "3615000004", "4115010126"
UNKNOWN_SCHOOL = "2115099999"  # well formed, in no registry
NOT_VISIBLE = "不存在或不在您的管辖范围内"

# role: inside school, outside school, inside county (None: the role has no county), outside county
ROLES = {
    "新城区": (XINCHENG, VOCATIONAL, "150102", "150203"),
    "昆都仑区": (VOCATIONAL, XINCHENG, "150203", "150102"),
    "呼和浩特市": (XINCHENG, VOCATIONAL, "150102", "150203"),
    "包头市": (VOCATIONAL, XINCHENG, "150203", "150102"),
    "自治区": (XINCHENG, UNKNOWN_SCHOOL, "150102", "110101"),
    "信息中心": (UNIVERSITY, XINCHENG, None, "150102"),
    "内蒙古大学": (UNIVERSITY, XINCHENG, None, "150102"),
}
SCHOOL_NAMES = {XINCHENG: "新城区第一小学", VOCATIONAL: "包头市第一中等职业学校", UNIVERSITY: "内蒙古大学"}

OK, NOT_FOUND, REFUSED = "200/302", "404", "refused in the page"
# Endpoints outside the explicit table, naming nothing in a territory: the view ran. A form posted with the
# generic body may be refused (400), and a role without that function may be told so (403).
RAN = "200/302/400/403"
NO_PARAMETER = None  # the endpoint names nothing in a territory: only the "inside" request is made


def every(inside, outside):
    return {role: (inside, outside) for role in ROLES}


# The review endpoints, explicitly: (inside, outside) per role.
EXPECTED = {
    ("datasets.index", "GET"): every(OK, NO_PARAMETER),
    ("datasets.queue", "GET"): every(OK, NO_PARAMETER),
    ("datasets.detail", "GET"): every(OK, NOT_FOUND),
    ("review.act", "POST"): every(OK, NOT_FOUND),
    ("review.bulk", "POST"): every(OK, REFUSED),
    ("review.county", "POST"): {
        **every(OK, NOT_FOUND),
        "信息中心": (NOT_FOUND, NOT_FOUND),  # no county is in the info centre's or a school's territory
        "内蒙古大学": (NOT_FOUND, NOT_FOUND),
    },
}
# The Ministry export is the region reviewer's alone: for every other role it does not exist.
REGION_ONLY = {**every(NOT_FOUND, NO_PARAMETER), "自治区": (OK, NO_PARAMETER)}
EXPECTED.update({("export.index", "GET"): REGION_ONLY, ("export.download", "POST"): REGION_ONLY})
# So is the audit log.
EXPECTED.update({("audit.index", "GET"): REGION_ONLY, ("audit.download", "GET"): REGION_ONLY})
REVIEW_BLUEPRINTS = ("datasets", "review")
EXPLICIT_BLUEPRINTS = REVIEW_BLUEPRINTS + ("export", "audit")  # every endpoint of these has its row above
SCHOOL_PARAMETERS = ("school_id",)
COUNTY_PARAMETERS = ("county_code", "county")
NUMBER_PARAMETERS = ("number", "version")  # a version number: every school below has version 1
UNKNOWN_TEXT, UNKNOWN_NUMBER = "nothing-here", 987654
POST_DATA = {"action": "approve", "reason": "访问测试"}


@pytest.fixture
def uploaded(app, registry):
    """One file in for each school the roles use, so pages have something to show."""
    store = app.extensions["staffrec_store"]
    for school_id, user in ((XINCHENG, "新城区"), (VOCATIONAL, "昆都仑区"), (UNIVERSITY, "信息中心")):
        school = registry.get(school_id)
        template = staffrec.new_template(school, demo_records(school, 3), signoff={"entered_by": "甲", "checked_by": "乙"})
        (result,) = store.ingest([(template.file_name(), template.to_bytes())], user)
        assert result.accepted
    return app


def endpoints(app):
    """(rule, method) of every view, static files aside."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    # Signing out last, so the role stays signed in for everything else.
    return sorted(found, key=lambda item: (item[0].endpoint == "auth.logout", item[0].endpoint, item[1]))


def _unknown(rule, name):
    return UNKNOWN_NUMBER if isinstance(rule._converters.get(name), IntegerConverter) else UNKNOWN_TEXT


def derived(rule, method, role):
    """The expectation of an endpoint not in EXPECTED, from its method and the parameters its URL takes."""
    inside, outside = _derived(rule, role)
    return (RAN if outside is NO_PARAMETER else inside), outside


def _derived(rule, role):
    names = set(rule.arguments)
    if not names:
        return OK, NO_PARAMETER
    if names - set(SCHOOL_PARAMETERS + COUNTY_PARAMETERS + NUMBER_PARAMETERS):
        return NOT_FOUND, NOT_FOUND  # a made-up identifier names nothing, for anyone
    if names & set(COUNTY_PARAMETERS) and ROLES[role][2] is None:
        return NOT_FOUND, NOT_FOUND
    return OK, NOT_FOUND


def url_of(app, rule, method, role, inside):
    school, other_school, county, other_county = ROLES[role]
    values = {}
    for name in rule.arguments:
        if name in SCHOOL_PARAMETERS:
            values[name] = school if inside else other_school
        elif name in COUNTY_PARAMETERS:
            values[name] = (county or other_county) if inside else other_county
        elif name in NUMBER_PARAMETERS:
            values[name] = 1
        else:
            values[name] = _unknown(rule, name)
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method), values


def outcome(response, expected, values, role):
    """Return None when the response is what `expected` says, else what went wrong."""
    status = response.status_code
    if expected == OK and status in (200, 302):
        return None
    if expected == RAN and status in (200, 302, 400, 403):
        return None
    if expected == NOT_FOUND and status == 404:
        return None
    if expected == REFUSED and status == 200:
        page = response.get_data(as_text=True)
        leaked = [n for s, n in SCHOOL_NAMES.items() if s in values.get("school_id", ()) and n in page]
        if NOT_VISIBLE in page and not leaked:
            return None
        return f"answered 200 but did not refuse the outside school (leaked: {leaked})"
    return f"answered {status}, expected {expected}"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_endpoint_inside_and_outside_the_territory(uploaded, client, auth, role):
    app = uploaded
    auth.login(role)
    failures = []
    for rule, method in endpoints(app):
        inside, outside = EXPECTED.get((rule.endpoint, method), {}).get(role) or derived(rule, method, role)
        for side, expected in (("inside", inside), ("outside", outside)):
            if expected is NO_PARAMETER:
                continue
            url, values = url_of(app, rule, method, role, side == "inside")
            if method == "GET":
                response = client.get(url)
            else:
                school = ROLES[role][0] if side == "inside" else ROLES[role][1]
                data = dict(POST_DATA, school_id=school, csrf_token=csrf_token(client, "/"))
                response = client.post(url, data=data)
                values = dict(values, school_id=school)
            problem = outcome(response, expected, values, role)
            if problem:
                failures.append(f"{role} {method} {url} ({rule.endpoint}, {side}): {problem}")
            if rule.endpoint.startswith("auth."):
                auth.login(role)  # signing in again after the login form or signing out
    assert not failures, "\n".join(failures)


def test_the_explicit_table_covers_every_review_endpoint(app):
    present = {
        (rule.endpoint, method)
        for rule, method in endpoints(app)
        if rule.endpoint.split(".")[0] in EXPLICIT_BLUEPRINTS
    }
    assert present == set(EXPECTED)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_without_a_csrf_token_is_refused(uploaded, client, auth, role):
    app = uploaded
    auth.login(role)
    failures = []
    for rule, method in endpoints(app):
        if method != "POST":
            continue
        for inside in (True, False):
            url, _ = url_of(app, rule, method, role, inside)
            response = client.post(url, data=dict(POST_DATA, school_id=ROLES[role][0]))
            if response.status_code != 400:
                failures.append(f"{role} POST {url} without a token answered {response.status_code}")
    assert not failures, "\n".join(failures)
    assert client.get("/").status_code == 200  # still signed in: nothing was done


def test_signed_out_every_page_sends_to_the_login_form(uploaded, client):
    app = uploaded
    token = csrf_token(client, "/auth/login")
    for rule, method in endpoints(app):
        if rule.endpoint == "auth.login":
            continue
        url, _ = url_of(app, rule, method, "自治区", True)
        response = client.get(url) if method == "GET" else client.post(url, data=dict(POST_DATA, csrf_token=token))
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], (method, url)
