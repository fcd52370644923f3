"""Docstrings cite what a user can follow: papers and official repositories, not internal notes.

``REFERENCES.md`` (like ``DESIGN.md`` and the datasets' ``MANIFEST.md``) is a project-internal notes file that is not shipped with jgssl, so a citation
of it (``REFERENCES.md §3.2``) leads nowhere. Cite the paper (authors, venue, year) and the
official repository and file instead (e.g. "official code CRIPAC-DIG/GRACE ``model.py``").
"""

import pathlib
import re

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "jgssl"

# The project's internal notes (REFERENCES.md, DESIGN.md, the datasets' MANIFEST.md) do not ship.
_CITATION = re.compile(r"REFERENCES(\.md)?|DESIGN\.md|MANIFEST")


def _python_files():
  yield from sorted(PACKAGE.rglob("*.py"))


def test_package_files_are_found():
  files = list(_python_files())
  assert len(files) > 20, f"only {len(files)} files found under {PACKAGE}"
  assert PACKAGE / "losses" / "infonce.py" in files


def test_no_citation_of_the_internal_references_file():
  offenders = []
  for path in _python_files():
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
      if _CITATION.search(line):
        offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
  assert not offenders, ("cite the paper and the official repository / file instead of the "
                         "internal REFERENCES.md:\n" + "\n".join(offenders))
