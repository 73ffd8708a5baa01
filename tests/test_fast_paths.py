"""The fast paths give exactly what the plain ones give.

- Reading: each fast reader (staffrec's compiled BIFF8 text reader before calamine, as
  staffrec.fast_read picks them, and calamine alone) against xlrd/openpyxl on every file of the
  corpus (fixtures of other programs, every kind's template in both formats, bench data with
  defects, workbooks built to hit each difference, truncated files): the same template, cell for
  cell, and the same report.
- Checking: the column engine (staffrec.checks.engine) against the row-by-row loop on the same
  corpus and on thousands of random rows with values of every form.
"""

import datetime
import random

import pytest

import staffrec.reader as reader_module
from fast_corpus import bench_files, fixture_files, id_of, template_files, tricky_files
from staffrec import biff_text, open_template
from staffrec.calamine_reader import NeedsFallback, read_calamine
from staffrec.fast_read import read_fast
from staffrec.catalogue import catalogue as shipped_catalogue
from staffrec.cells import Cell, CellKind, make_cell
from staffrec.checks import engine, validate
from staffrec.demo_staff import demo_records
from staffrec.errors import WorkbookReadError
from staffrec.records import Record
from staffrec.registry import parse_registry
from staffrec.sniff import sniff
from staffrec.template import Template

from conftest import REGISTRY_CSV

DAY = datetime.date(2026, 9, 15)
# Each fast reader and how many corpus files it must read for its comparisons to prove anything.
FAST_READERS = {"compiled, then calamine": (read_fast, 40), "calamine alone": (read_calamine, 40)}


@pytest.fixture(scope="module")
def setting():
    cat = shipped_catalogue()
    return cat, parse_registry(REGISTRY_CSV, catalogue=cat)


@pytest.fixture(scope="module")
def corpus(setting, tmp_path_factory):
    cat, registry = setting
    files = fixture_files() + template_files(registry, cat) + tricky_files(registry, cat)
    files += bench_files(tmp_path_factory.mktemp("bench"))
    from test_validate import defect_workbook

    data, name, _ = defect_workbook(registry, cat)
    return files + [(name, data)]


def exact_template(data, name, monkeypatch):
    """Read with xlrd/openpyxl only."""
    with monkeypatch.context() as patch:
        patch.setattr(reader_module, "read_fast", lambda fmt, data: None)
        return open_template(data, name=name)


def fast_template(data, name, cat, read=read_fast):
    """Read with a fast reader only; None when the file goes to the exact reader."""
    fmt, findings = reader_module._sniff_book(data, name)
    book = read(fmt, data) if fmt else None
    if book is None:
        return None
    try:
        return reader_module._template(book, name, cat, findings)
    except NeedsFallback:
        return None


def snapshot(template):
    """Everything a Template holds, cells included (an empty cell's raw aside)."""
    def cell(c):
        return (c.text, c.kind) + (() if c.kind is CellKind.EMPTY else (type(c.raw), c.raw))

    return (
        template.format, str(template.school_id), template.school_name, template.kind and template.kind.name,
        template.version, template.stamp, dict(template.signoff), template.missing_keys, template.findings,
        [(r.row, r.keys, r.values, [cell(c) for c in r.cells]) for r in template.records],
    )


def report(template, registry):
    return validate(template, registry=registry, today=DAY, limit=10**6).to_dict()


@pytest.mark.parametrize("reader", sorted(FAST_READERS))
def test_the_fast_and_the_exact_readers_give_the_same_templates(reader, corpus, setting, monkeypatch):
    cat, registry = setting
    read, least = FAST_READERS[reader]
    fast_used = compiled_used = 0
    for name, data in corpus:
        exact = exact_template(data, name, monkeypatch)
        fast = fast_template(data, name, cat, read)
        if fast is not None:
            fast_used += 1
            compiled_used += read is read_fast and biff_text.read_texts(data) is not None
            assert snapshot(fast) == snapshot(exact), name
            assert report(fast, registry) == report(exact, registry), name
        assert snapshot(open_template(data, name=name)) == snapshot(exact), name
    # Most of the corpus must really have been read by this reader, or this proves nothing; and
    # read_fast's share must be the compiled reader's, not only calamine's.
    assert fast_used >= least
    assert compiled_used >= 50 if read is read_fast else compiled_used == 0, compiled_used


def test_large_sheets_read_row_by_row_give_the_same_templates(corpus, setting, monkeypatch):
    """Sheets of LARGE_SHEET rows or more are read with iter_rows and equal texts kept once."""
    import staffrec.calamine_reader as calamine_reader

    cat, _ = setting
    monkeypatch.setattr(calamine_reader, "LARGE_SHEET", 1)
    for name, data in corpus:
        fast = fast_template(data, name, cat, read_calamine)
        if fast is not None:
            assert snapshot(fast) == snapshot(exact_template(data, name, monkeypatch)), name


@pytest.mark.parametrize("reader", sorted(FAST_READERS))
def test_the_fast_readers_text_cells_are_the_exact_readers_cells(reader, corpus):
    """Sheet by sheet: names, visibility and every row a fast reader gives as texts."""
    read, _ = FAST_READERS[reader]
    checked = 0
    for name, data in corpus:
        fmt = sniff(data).format
        fast = read(fmt, data) if fmt in reader_module.READERS else None
        if fast is None:
            continue
        try:
            exact = reader_module.READERS[fmt](data)
        except WorkbookReadError:
            pytest.fail(f"{name}: {reader} reads what the exact reader calls damaged")
        assert [(s.name, s.hidden) for s in fast.sheets] == [(s.name, s.hidden) for s in exact.sheets], name
        for fast_sheet, exact_sheet in zip(fast.sheets, exact.sheets):
            try:
                fast_rows = list(fast_sheet.rows())
            except NeedsFallback:
                continue
            exact_rows = list(exact_sheet.rows())
            assert len(fast_rows) >= len(exact_rows) or not any(any(c.text for c in r) for r in exact_rows[len(fast_rows):])
            for fast_row, exact_row in zip(fast_rows, exact_rows):
                width = max(len(fast_row), len(exact_row))
                padded = [r + (Cell("", CellKind.EMPTY),) * (width - len(r)) for r in (fast_row, exact_row)]
                assert padded[0] == padded[1], name
                assert [c.raw for c in padded[0] if c.kind is CellKind.TEXT] == [c.raw for c in padded[1] if c.kind is CellKind.TEXT]
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize("reader", sorted(FAST_READERS))
def test_error_cells_always_go_to_the_exact_reader(reader, corpus):
    read, _ = FAST_READERS[reader]
    for name, data in corpus:
        fmt = sniff(data).format
        if fmt not in reader_module.READERS:
            continue
        try:
            exact = reader_module.READERS[fmt](data)
            has_error = any(c.kind is CellKind.ERROR or c.text.startswith("#") for s in exact.sheets for r in s.rows() for c in r)
        except WorkbookReadError:
            continue
        if has_error and any(c.kind is CellKind.ERROR for s in exact.sheets for r in s.rows() for c in r):
            assert read(fmt, data) is None, name


def by_row(template, registry, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(engine, "applies", lambda context, records: False)
        return report(template, registry)


def test_the_engine_gives_the_row_loops_findings_on_the_corpus(corpus, setting, monkeypatch):
    cat, registry = setting
    engine.UNDECLARED.clear()
    checked = 0
    for name, data in corpus:
        template = open_template(data, name=name)
        if template.kind is None:
            continue
        for reg in (None, registry):
            assert report(template, reg) == by_row(template, reg, monkeypatch), name
        checked += 1
    assert checked >= 30 and not engine.UNDECLARED


# Values of every form a random row may get, per indicator type.
def _pools(cat, kind):
    pools = {}
    for ind in kind.indicators:
        if ind.is_coded:
            rows = list(cat.table(ind.table))
            labels = [r.label for r in rows]
            values = labels[:40] + [r.code for r in rows[:10]] + [r.name for r in rows[:10]]
            values += [f" {labels[0]} ", "99-火星", "0", "１", f"{rows[0].code} {rows[0].name}", f"{rows[0].name}({rows[0].code})"]
            if ind.type == "multicode":
                values += [f"{labels[0]},{labels[-1]}", f"{labels[0]}、{labels[1]}", "01-中共党员,13-群众"]
        elif ind.type == "date":
            values = ["1985-03-12", "1985.3.12", "19850312", "1985年3月12日", "1985-02-30", "2030-01-01",
                      "1899-12-31", "date", "1985-3-12", "2026-09-15", "2026-09-16", "1960-01-01", "2010-06-30"]
        elif ind.type == "yearmonth":
            values = ["2008-09", "2008.1", "2008.10", "2008-13", "200809", "2030-01", "2008年9月", "1970-01",
                      "2026-09", "2026-10", "1984-05", "2003-07", "0000-01"]
        else:
            values = ["乌云", "张 三", "备" * 300, "a|b", "  ", "Ｘ", "2008-09", "1-男"]
        pools[ind.key] = values + [""]
    return pools


def _cell(text, rng):
    """Return a random stored form of a text: a text cell, or a number / date cell where one fits."""
    pick = rng.random()
    if pick < 0.05 and text.replace(".", "", 1).isdigit():
        return make_cell(float(text), CellKind.NUMBER)
    if pick < 0.08 and len(text) == 10 and text[4] == "-" and text[:4].isdigit():
        try:
            return make_cell(datetime.datetime.fromisoformat(text), CellKind.DATE)
        except ValueError:
            pass
    if pick < 0.09:
        return make_cell(True, CellKind.BOOL)
    if pick < 0.1:
        return make_cell("#N/A", CellKind.ERROR)
    return make_cell(text, CellKind.TEXT)


def _ids(rng, person):
    """Identity numbers right and wrong for a person."""
    try:
        birth = datetime.date.fromisoformat(person["birth_date"])
    except ValueError:
        birth = datetime.date(1985, 3, 12)
    good = id_of(birth, rng.randrange(1000), rng.choice("12"))
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    return [good, good, good, wrong, good.lower(), good.replace("1", "１", 1), good[:15], "1501021985031212341",
            id_of(datetime.date(2030, 1, 1), 5, "1"), "15010219850230123X", "A1234567"]


def random_records(cat, kind, school, count, seed, plain=False):
    """Demo rows with random columns replaced by values of every form, stored in every way.

    `plain`: every row as the reader gives a clean text row (values and entries one tuple of texts).
    """
    rng = random.Random(seed)
    pools = _pools(cat, kind)
    records = []
    for number, person in enumerate(demo_records(school, count, seed=seed), start=4):
        for key in rng.sample(kind.keys, rng.choice((0, 1, 2, 4, 8))):
            person[key] = rng.choice(pools[key])
        if rng.random() < 0.5:
            person["id_number"] = rng.choice(_ids(rng, person))
        if rng.random() < 0.2:
            person["birth_date"] = "1985-03-12"
        values = [person[k] for k in kind.keys]
        if plain:
            texts = tuple(Cell_text(v) for v in values)
            records.append(Record(kind.keys, texts, row=number, cells=texts))
            continue
        form = rng.random()
        if form < 0.5:  # as the reader gives clean text rows: entries and values one tuple
            texts = tuple(Cell_text(v) for v in values)
            if all(t == v for t, v in zip(texts, values)):
                records.append(Record(kind.keys, texts, row=number, cells=texts))
                continue
        if form < 0.6:
            records.append(Record(kind.keys, tuple(values), row=number))
            continue
        cells = tuple(_cell(v, rng) if form > 0.8 else make_cell(v, CellKind.TEXT) for v in values)
        entries = tuple(c.raw if c.kind is CellKind.TEXT else c for c in cells)
        records.append(Record(kind.keys, tuple(c.text for c in cells), row=number, cells=entries if form < 0.7 else cells))
    return records


def Cell_text(value):
    return make_cell(value, CellKind.TEXT).text


@pytest.mark.parametrize("kind_name", ["中小学", "中职", "特教", "高校"])
def test_the_engine_gives_the_row_loops_findings_on_random_rows(setting, kind_name, monkeypatch):
    cat, registry = setting
    kind = cat.kind(kind_name)
    schools = [s for s in registry if s.kind(cat) is kind]
    engine.UNDECLARED.clear()
    codes = set()
    for seed, school in enumerate(schools * 4):
        records = random_records(cat, kind, school, 300, seed, plain=seed % 2 == 0)
        for missing in (frozenset(), frozenset(rnd for rnd in random.Random(seed).sample(kind.keys, 2))):
            template = Template(school.id, school.name, kind, records=records, catalogue=cat,
                                signoff={"entered_by": "甲", "checked_by": "乙"}, missing_keys=missing)
            for reg in (None, registry):
                expected = by_row(template, reg, monkeypatch)
                assert report(template, reg) == expected
                codes.update(f["code"] for f in expected["findings"])
    assert not engine.UNDECLARED
    assert len(codes) >= 25  # the random rows reach most rules, or this proves little


def test_a_plain_clean_file_takes_the_screened_path(setting):
    """The reader hands clean text rows over as one tuple, which the engine screens in bulk."""
    cat, registry = setting
    school = registry.get("4115010126")
    data = Template(school.id, school.name, cat.kind("高校"), records=[], catalogue=cat)
    template = open_template(__import__("staffrec").new_template(school, demo_records(school, 20)).to_bytes())
    assert all(r.entries is r.values for r in template.records)
    assert data.records == []


def test_the_sign_off_pattern_catches_every_label_cell():
    """data_rows only sends rows its probe and SIGNOFF_CELL let through to is_signoff_row: they must miss no label cell."""
    from staffrec.data_rows import _RowReader
    from staffrec.layout import SIGNOFF_FIELDS
    from staffrec.signoff import SIGNOFF_CELL, signoff_key
    from staffrec.text import clean_spaces

    cat = shipped_catalogue()
    reader = _RowReader({}, cat.kind("中小学"), {}, [], "x.xls", cat)
    assert reader.signoff_probe and all(pair for _, pair in reader.signoff_probe)  # the pair test is in use

    rng = random.Random(3)
    pieces = [" ", "\u3000", "\u00a0", "*", "＊", "：", ":", "张三", "人", "|", "\t", "员", "1"]
    labels = [label for _, label in SIGNOFF_FIELDS]
    checked = 0
    for _ in range(20000):
        label = rng.choice(labels)
        spaced = "".join(c + rng.choice(["", "", " ", "\u3000"]) for c in label)
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(3))) + spaced
        text += "".join(rng.choice(pieces) for _ in range(rng.randrange(4)))
        cleaned = clean_spaces(text)
        if cleaned and signoff_key(cleaned):
            checked += 1
            others = ["乌云", "", "1-男"]
            line = "|".join(others[: rng.randrange(3)] + [cleaned] + others[: rng.randrange(3)])
            assert SIGNOFF_CELL.search(line), text
            assert reader.may_be_signoff(line), text
    assert checked > 1000


@pytest.mark.parametrize("kind_name", ["中小学", "高校"])
def test_the_engine_screens_well_formed_resident_ids_column_wise(setting, kind_name, monkeypatch):
    """Every ID well formed and of a 居民身份证: id_suspects takes its whole-column path."""
    cat, registry = setting
    kind = cat.kind(kind_name)
    school = next(s for s in registry if s.kind(cat) is kind)
    resident = next(r.label for r in cat.table("id_type") if r.code == cat.rules.code("resident_card"))
    rng = random.Random(11)
    records = []
    for number, person in enumerate(demo_records(school, 400, seed=4), start=4):
        person["id_type"] = resident
        choice = rng.random()
        shaped = __import__("re").compile(r"[0-9]{17}[0-9X]").fullmatch
        ids = [i for i in _ids(rng, person) if shaped(i)]
        if choice < 0.3 or not shaped(person["id_number"]):
            person["id_number"] = rng.choice(ids)
        if choice > 0.8:
            person["sex"] = rng.choice(["1-男", "2-女", "9-未说明的性别", "", "男"])
        if choice > 0.9:
            person["birth_date"] = rng.choice(["1985-03-12", "", "2030-01-01", "1985-02-30"])
        texts = tuple(Cell_text(person[k]) for k in kind.keys)
        records.append(Record(kind.keys, texts, row=number, cells=texts))
    template = Template(school.id, school.name, kind, records=records, catalogue=cat,
                        signoff={"entered_by": "甲", "checked_by": "乙"})
    from staffrec.checks import row_screens

    expected = by_row(template, registry, monkeypatch)
    calls = []
    bulk = row_screens._resident_suspects
    monkeypatch.setattr(row_screens, "_resident_suspects", lambda *a: calls.append(1) or bulk(*a))
    assert report(template, registry) == expected
    assert calls and {"id.check_digit", "id.sex_mismatch", "id.birth_mismatch"} <= {f["code"] for f in expected["findings"]}
