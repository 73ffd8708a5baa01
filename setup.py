"""Build staffrec's compiled BIFF8 text reader (staffrec/_biff.c); the rest of the metadata is in setup.cfg."""

from setuptools import Extension, setup

# optional: where no C compiler is at hand the package still installs and reads .xls with
# python-calamine and xlrd (staffrec/biff_text.py); tests/test_biff_text.py fails without it.
setup(ext_modules=[Extension("staffrec._biff", ["staffrec/_biff.c"], optional=True)])
