"""The examples in the docstrings of the pure modules are run as tests."""

import doctest
import importlib

import pytest

MODULES = [
    "skp_app.org.nip",
    "skp_app.realization.scoring",
    "skp_app.realization.tpp",
    "skp_app.cascading.graph",
    "skp_app.cascading.rules",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
