"""dbt exposures (dbt_project/models/exposures.yml) name what really reads the warehouse.

`dbt parse` must accept the file; each exposure's depends_on must equal what its consumer reads,
derived here from the consumer's code and SQL rather than copied from the yml:

* the push: the relations the `publish` task's modules (ingest/pipeline.py `publish`) read, and
  the datasets of the Soda contracts that gate it (`ingest.gate.layers`);
* the BI dashboards: every `reporting.*` view of ingest/migrations, plus the two dashboard marts;
* the auditors: the relations of every SQL block of docs/auditor-guide.md.

A relation that is not a dbt model or source is followed back: a view to what its body reads,
a table filled by ingest (`insert into X … from Y`) to what that statement reads. So
`publish.warning_revisions` leads to `warnings.fct_warnings`, the mart ingest/publish.py copies.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PKG = "minzheng_sentinel"
DASHBOARD_MARTS = {f"model.{PKG}.fct_warning_counts", f"model.{PKG}.fct_eldercare_subsidy_months"}

IDENT = r'"?([a-z_][a-z0-9_]*)"?'
READS = re.compile(rf"\b(?:from|join)\s+{IDENT}\.{IDENT}", re.IGNORECASE)
VIEW = re.compile(rf"create\s+(?:or\s+replace\s+)?view\s+{IDENT}\.{IDENT}(.*?)(?:;|\$v\$)",
                  re.IGNORECASE | re.DOTALL)
INSERT = re.compile(rf"\binsert\s+into\s+{IDENT}\.{IDENT}", re.IGNORECASE)
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """`dbt parse` in a child process (no database needed) into a target dir of its own."""
    target = tmp_path_factory.mktemp("dbt-target")
    env = {**os.environ, "WH_HOST": "127.0.0.1", "WH_PORT": "5432", "WH_USER": "parse_only",
           "WH_DBNAME": "parse_only", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
           "DBT_LOG_PATH": str(target / "logs")}
    dbt = Path(sys.executable).parent / "dbt"
    done = subprocess.run([str(dbt), "parse", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
                           "--target-path", str(target)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"dbt parse failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def dbt_relations(manifest: dict) -> dict[tuple[str, str], str]:
    """(schema, table) in the warehouse → unique_id of the dbt model, seed or source there."""
    found = {(n["schema"], n["alias"]): uid for uid, n in manifest["nodes"].items()
             if n["resource_type"] in ("model", "seed")}
    found.update({(s["schema"], s["identifier"]): uid for uid, s in manifest["sources"].items()})
    return found


def reads(sql: str) -> set[tuple[str, str]]:
    return {(s.lower(), t.lower()) for s, t in READS.findall(sql)}


def string_constants(path: Path) -> list[str]:
    return [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def sql_texts() -> list[str]:
    """The SQL the warehouse runs outside dbt: migrations and ingest's string constants."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "ingest" / "migrations").glob("*.sql"))]
    for path in sorted((ROOT / "ingest").glob("*.py")):
        texts += string_constants(path)
    return texts


def lineage() -> tuple[dict, dict]:
    """views: view → relations its body reads; filled: table → relations its inserts read."""
    views: dict[tuple[str, str], set] = {}
    filled: dict[tuple[str, str], set] = {}
    for text in sql_texts():
        for schema, name, body in VIEW.findall(text):
            views.setdefault((schema.lower(), name.lower()), set()).update(reads(body))
        for statement in text.split(";"):
            for schema, name in INSERT.findall(statement):
                table = (schema.lower(), name.lower())
                filled.setdefault(table, set()).update(reads(statement) - {table})
    return views, filled


def resolve(relations: set, manifest: dict) -> set[str]:
    """The dbt nodes the relations are or come from (views and ingest-filled tables followed)."""
    known = dbt_relations(manifest)
    views, filled = lineage()
    nodes: set[str] = set()
    seen: set = set()
    todo = list(relations)
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        if rel in known:
            nodes.add(known[rel])
        else:
            todo += views.get(rel, set()) | filled.get(rel, set())
    return nodes


def exposure(manifest: dict, name: str) -> dict:
    uid = f"exposure.{PKG}.{name}"
    assert uid in manifest["exposures"], f"no exposure {name}: {sorted(manifest['exposures'])}"
    return manifest["exposures"][uid]


def depends_on(manifest: dict, name: str) -> set[str]:
    return set(exposure(manifest, name)["depends_on"]["nodes"])


def publish_task_modules() -> list[Path]:
    """The ingest modules the DAG's publish task calls (imports of ingest/pipeline.py publish)."""
    tree = ast.parse((ROOT / "ingest" / "pipeline.py").read_text(encoding="utf-8"))
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "publish")
    names = {a.name for n in ast.walk(func) if isinstance(n, ast.ImportFrom) and n.module == "ingest"
             for a in n.names}
    assert "publish" in names, names
    return [ROOT / "ingest" / f"{name}.py" for name in sorted(names)]


def gate_datasets() -> set[tuple[str, str]]:
    from ingest import gate

    found = set()
    for path in (p for group in gate.layers().values() for p in group):
        dataset = yaml.safe_load(path.read_text(encoding="utf-8"))["dataset"]  # warehouse/${db}/schema/table
        schema, table = dataset.split("/")[-2:]
        found.add((schema, table))
    return found


def test_exposures_have_type_owner_maturity_and_description(manifest):
    kinds = {"discipline_inspection_platform_push": "application", "bi_dashboards": "dashboard",
             "auditor_queries": "analysis"}
    for name, kind in kinds.items():
        e = exposure(manifest, name)
        assert e["type"] == kind
        assert e["owner"]["name"] and e["owner"]["email"]
        assert e["maturity"] in ("low", "medium", "high")
        assert len(e["description"]) > 100
        assert e["depends_on"]["nodes"]


def test_push_depends_on_what_publish_reads_and_the_gate_checks(manifest):
    read = set().union(*(reads(s) for p in publish_task_modules() for s in string_constants(p)))
    from_code = resolve(read, manifest)
    from_gate = resolve(gate_datasets(), manifest)
    assert f"model.{PKG}.fct_warnings" in from_code  # the derivation found the mart the push copies
    assert f"source.{PKG}.ga.death" in from_gate
    assert depends_on(manifest, "discipline_inspection_platform_push") == from_code | from_gate


def test_dashboards_depend_on_the_reporting_views_sources_and_the_dashboard_marts(manifest):
    views, _ = lineage()
    reporting = {v for v in views if v[0] == "reporting"}
    assert {("reporting", "warnings"), ("reporting", "deliveries")} <= reporting
    from_views = resolve(reporting, manifest)
    assert {f"model.{PKG}.fct_warnings", f"source.{PKG}.meta.deliveries"} <= from_views
    assert DASHBOARD_MARTS <= set(manifest["nodes"])
    assert depends_on(manifest, "bi_dashboards") == from_views | DASHBOARD_MARTS


def test_auditor_queries_depend_on_what_the_guide_queries(manifest):
    blocks = SQL_BLOCK.findall((ROOT / "docs" / "auditor-guide.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    queried = set().union(*(reads(b) for b in blocks))
    assert queried and all(schema == "audit" for schema, _ in queried), queried
    from_guide = resolve(queried, manifest)
    assert f"model.{PKG}.fct_warnings" in from_guide
    assert depends_on(manifest, "auditor_queries") == from_guide
