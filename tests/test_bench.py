"""The benchmark scripts' own pieces: the sample generator and the validate cases.

No wall time is asserted (bench/README.md): only that the generator is deterministic, that every
staffrec case finds exactly the injected defects, and that each case reads the file with the
reader it is named after.
"""

import pytest

import bench.xlsx  # noqa: F401 - the script imports what it needs from bench.validate
import staffrec.fast_read
from bench.data import write_sample
from bench.validate import CALAMINE, EXACT, OURS, defect_check, make_case
from staffrec.demo import demo_registry


@pytest.fixture(scope="module")
def registry():
    return demo_registry()


def test_the_same_arguments_write_the_same_file(registry, tmp_path):
    first = write_sample(tmp_path / "a", 120, share=0.1, seed=3, registry=registry)
    second = write_sample(tmp_path / "b", 120, share=0.1, seed=3, registry=registry)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.defects == second.defects and len(first.defects) == 12
    other = write_sample(tmp_path / "c", 120, share=0.1, seed=4, registry=registry)
    assert other.path.read_bytes() != first.path.read_bytes()


@pytest.mark.parametrize("case, reader", [(OURS, "compiled"), (CALAMINE, "calamine"), (EXACT, "xlrd")])
def test_each_staffrec_case_finds_the_injected_defects_with_its_reader(case, reader, registry, tmp_path, monkeypatch, compiled_parses):
    sample = write_sample(tmp_path, 200, share=0.05, seed=1, registry=registry)
    calamine_books, read_calamine = [], staffrec.fast_read.read_calamine

    def calamine_spy(fmt, data):
        calamine_books.append(read_calamine(fmt, data))
        return calamine_books[-1]

    monkeypatch.setattr(staffrec.fast_read, "read_calamine", calamine_spy)
    report = make_case(case, sample.path, None, registry)()
    assert defect_check(report, sample.defects)["equal"], case
    assert bool(compiled_parses) is (reader == "compiled"), case
    assert any(book is not None for book in calamine_books) is (reader == "calamine"), case
