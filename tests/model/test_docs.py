from pathlib import Path

from model import parameters

ROOT = Path(__file__).resolve().parents[2]


def test_parameter_docs_are_generated_from_the_registry():
    assert (ROOT / "docs" / "parameters.md").read_text() == parameters.markdown(), \
        "run: python -m model.parameters > docs/parameters.md"


def test_every_parameter_has_help_and_source():
    for p in parameters.PARAMETERS.values():
        assert p.help and p.source and p.unit, p.name
        assert p.help.endswith("."), p.name
