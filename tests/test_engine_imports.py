"""nn_core is UI-free: importing it (all of its modules) loads no Streamlit, Plotly or pandas."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_nn_core_loads_no_ui_library():
    code = (
        "import pkgutil, importlib, sys, nn_core\n"
        "for m in pkgutil.iter_modules(nn_core.__path__):\n"
        "    importlib.import_module('nn_core.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "('streamlit', 'plotly', 'pandas'))\n"
        "print(len(list(pkgutil.iter_modules(nn_core.__path__))), bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split(maxsplit=1)
    assert int(out[0]) >= 10  # the engine's modules were really imported
    assert out[1].strip() == "[]", out[1]
