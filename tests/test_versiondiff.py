from staffrec.versiondiff import diff_versions, person_key


def person(number, name, **items):
    return dict(id_number=number, name=name, sex="1-男", **items)


def test_added_removed_and_changed_persons_keyed_by_id_number(cat):
    kind = cat.kind("中小学")
    old = [person("A1", "张三", remark=""), person("B2", "李四"), person("C3", "王五", remark="x")]
    new = [person("a1", "张三", remark="调入"), person("C3", "王五", remark="x"), person("D4", "赵六")]
    diff = diff_versions(old, new, kind)
    assert [p["name"] for p in diff.added] == ["赵六"]
    assert [p["name"] for p in diff.removed] == ["李四"]
    (change,) = diff.changed
    assert (change.id_number, change.name) == ("A1", "张三")
    assert [(c.key, c.header, c.old, c.new) for c in change.changes] == [("id_number", "身份证件号", "A1", "a1"), ("remark", "备注", "", "调入")]
    assert diff.unchanged == 1 and not diff.is_empty


def test_identical_versions_have_an_empty_diff(cat):
    people = [person("A1", "张三")]
    assert diff_versions(people, list(people), cat.kind("高校")).is_empty


def test_persons_without_id_number_are_keyed_by_name_and_birth():
    assert person_key({"name": "张三", "birth_date": "1985-03-12"}) == "张三/1985-03-12"
    assert person_key({"id_number": "１１０x"}) == "110X"
