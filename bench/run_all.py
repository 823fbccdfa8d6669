"""Run every benchmark in bench/ and print their figures (make bench)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for script in ("parse.py", "scale.py", "browser_timings.py"):
    print(f"\n== {script}", flush=True)
    code = subprocess.call([sys.executable, str(HERE / script)])
    if code:
        print(f"{script} exited {code}")
