"""Item 10: the shipped Streamlit configuration is the production one, and Streamlit reads it."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_config_declares_the_production_server_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert server["runOnSave"] is False
    assert server["fileWatcherType"] == "none"
    # XSRF protection is only effective with CORS protection on (Streamlit overrides it otherwise).
    assert server.get("enableCORS", True) is True


def test_streamlit_run_from_the_checkout_uses_them():
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, check=True).stdout
    effective = {line.split(" = ", 1)[0]: line.split(" = ", 1)[1] for line in shown.splitlines()
                 if " = " in line and not line.startswith("#")}
    assert effective["enableXsrfProtection"] == "true"
    assert effective["runOnSave"] == "false"
    assert effective["fileWatcherType"] == '"none"'


def test_readme_documents_the_listen_address_for_deployments():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--server.address" in readme.split("## Deploying", 1)[1]
