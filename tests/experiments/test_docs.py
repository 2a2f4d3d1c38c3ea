"""The README's examples are the shipped ones and are valid."""

import re
from pathlib import Path

from experiments.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_shows_the_shipped_example_sweep():
    example = (ROOT / "experiments" / "examples" / "perisai_sweep.toml").read_text()
    assert f"```toml\n{example}```" in README


def test_readme_scenario_example_is_valid():
    section = README[README.index("### Scenario files"):]
    text = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    scenario = parse_scenario(text, "README.md")
    assert scenario.model_kwargs()["perisai_agents"] == [{"from": "2027-04", "value": 3000}]   # its start


def test_architecture_doc_names_every_experiments_module():
    doc = (ROOT / "docs" / "architecture.md").read_text()
    for module in (ROOT / "experiments").glob("*.py"):
        if module.stem != "__init__":
            assert f"`{module.name}`" in doc, module.name
