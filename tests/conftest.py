"""Shared fixtures: the shipped catalogue and a small registry written as a literal."""

import pytest

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
