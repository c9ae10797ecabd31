"""``vmspolicy graph``: golden Mermaid and DOT output, and what the graph says."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from vmspolicy.cli import main

HERE = Path(__file__).parent
ESTATE = HERE / "data" / "estate.yaml"
ARGS = ["--profile", "uk-gov-2022", "--as-of", "2026-01-01", "--no-plugins"]


def _graph(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["graph", *args])
    return code, out.getvalue()


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths in the output are shown relative to the working directory.
    monkeypatch.chdir(HERE.parent.parent)


@pytest.mark.parametrize(("fmt", "golden"), [("mermaid", "estate.mmd"), ("dot", "estate.dot")])
def test_output_matches_the_golden_file(fmt: str, golden: str, in_repo: None, update_golden: bool) -> None:
    code, text = _graph("--format", fmt, *ARGS, str(ESTATE.relative_to(HERE.parent.parent)))
    assert code == 0
    path = HERE / "golden" / golden
    if update_golden:  # pytest --update-golden, after a reviewed change
        path.write_text(text, encoding="utf-8", newline="\n")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path} (pytest --update-golden rewrites it)"


def test_mermaid_is_safe_to_embed(in_repo: None) -> None:
    _, text = _graph(*ARGS, str(ESTATE))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        # Every label is quoted and every node id is plain, so zone ids like "hq/mgmt:1" cannot break the syntax.
        for label in re.findall(r'\[(.*?)\]|\|(.*?)\|', line):
            text_ = label[0] or label[1]
            assert text_.startswith('"') and text_.endswith('"') and '"' not in text_[1:-1], line
    assert re.search(r"^  linkStyle \d+(,\d+)* stroke:#d00", text, re.M)


def test_violating_flows_are_red_and_allowed_ones_are_not(in_repo: None) -> None:
    _, text = _graph("--format", "dot", *ARGS, str(ESTATE))
    red = {line.split(" [")[0].strip() for line in text.splitlines() if "#dd0000" in line and "legend" not in line}
    # hq-legacy (z0) → internet by 'legacy-ntp'; hq-corp (z3) → hq-legacy by 'helpdesk'. The recorders' pull is fine.
    assert red == {"z0 -> internet", "z3 -> z0"}
    assert "z2 -> z0" in text


def test_output_file_and_errors(tmp_path: Path, in_repo: None) -> None:
    target = tmp_path / "out" / "estate.mmd"
    code, text = _graph(*ARGS, "--output", str(target), str(ESTATE))
    assert code == 0 and text == ""
    assert target.read_text(encoding="utf-8").startswith("flowchart LR")
    assert _graph(*ARGS, str(tmp_path / "missing.yaml"))[0] == 2


def test_the_readme_shows_the_graph_of_the_examples(in_repo: None) -> None:
    readme = (HERE.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Isolation", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```mermaid\n", 1)[1].split("```", 1)[0]
    _, text = _graph("--no-plugins", "examples/estate")
    assert shown == text, "the README's graph is stale: paste `vmspolicy graph examples/estate` into its Isolation section"


def test_unreadable_input_is_an_error_with_its_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("vmspolicy: 1\nzones: [{id: a, site: hq\n", encoding="utf-8")
    code = main(["graph", "--no-plugins", str(broken)])
    err = capsys.readouterr().err
    assert code == 2
    assert "broken.yaml:2:9: VP001" in err, err


def test_one_site_with_the_zones_it_exchanges_flows_with(capsys: pytest.CaptureFixture[str]) -> None:
    cross_site = HERE.parent / "cases" / "VP204" / "cross-site"
    code = main(["graph", "--format", "dot", "--no-plugins", "--profile", "uk-gov-2022", "--site", "branch", str(cross_site)])
    text = capsys.readouterr().out
    assert code == 0
    nodes = set(re.findall(r'^    (z\d+) \[label="([^\\"]+)', text, re.M))
    # branch's two zones, and hq-legacy because br-corp and br-vms reach it; hq-vms and hq-corp are left out.
    assert {label for _, label in nodes} == {"br-vms", "br-corp", "hq-legacy"}
    assert [line.split(" [")[0].strip() for line in text.splitlines() if "#dd0000" in line and "legend" not in line] == ["z1 -> z2"]
    assert main(["graph", "--no-plugins", "--site", "nowhere", str(cross_site)]) == 2


def test_both_drawings_carry_a_legend_for_red_edges_and_shaded_zones(in_repo: None) -> None:
    _, mermaid = _graph(*ARGS, str(ESTATE))
    edges = [line for line in mermaid.splitlines() if "-->" in line]
    legend_edge = next(i for i, line in enumerate(edges) if "legend1" in line)
    assert '  subgraph legend["legend"]' in mermaid
    assert 'legend0["shaded: a zone holding a legacy restricted device"]' in mermaid
    assert '-->|"red: an allowed flow that breaks its isolation (VP202-VP204)"|' in mermaid
    style = next(line for line in mermaid.splitlines() if line.startswith("  linkStyle "))
    assert str(legend_edge) in style.split()[1].split(",")  # the legend's edge is drawn red like the others
    assert re.search(r"^  class .*legend0,legend2 legacy$", mermaid, re.M)
    _, dot = _graph("--format", "dot", *ARGS, str(ESTATE))
    assert "  subgraph cluster_legend {" in dot
    assert 'legend0 [label="shaded: a zone holding a legacy restricted device", fillcolor="#fff4e5"' in dot
    assert 'legend1 -> legend2 [label="red: an allowed flow that breaks its isolation (VP202-VP204)", color="#dd0000"' in dot


def test_dot_sets_the_font_of_everything_it_labels(in_repo: None) -> None:
    _, dot = _graph("--format", "dot", *ARGS, str(ESTATE))
    # Cluster (site) labels take the graph's font: without `graph [fontname=...]` Graphviz sets them in Times.
    for kind in ("graph", "node", "edge"):
        assert re.search(rf'^  {kind} \[.*fontname="Helvetica"', dot, re.M), kind
