"""Where things are: the project root, the shipped policy files, the tests' artifacts."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY_DATA = ROOT / "policies" / "data"
KESIMPTA_FILE = POLICY_DATA / "kesimpta.yaml"
EMGALITY_FILE = POLICY_DATA / "emgality.yaml"
HUMIRA_FILE = POLICY_DATA / "humira.yaml"
# A made-up policy (another drug, its own NDC) with questions of every type: tests only.
TESTIMAB_FILE = ROOT / "tests" / "support" / "policy_files" / "testimab.yaml"
# Screenshots from the browser tests (ignored by git).
ARTIFACTS = ROOT / "tests" / "artifacts"
