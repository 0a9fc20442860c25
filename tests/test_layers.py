"""The layers import one way: app.py -> pages/ -> ui/ -> viz/ -> nn_core/, and only through
Streamlit's public API.

Read from the source (every import statement, those inside functions too), so an import that
runs upward only on some path (a page run alone, a callback) is caught as well.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("nn_core", "viz", "ui", "pages", "app")  # each may import only those before it


def _layer(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def _files():
    yield ROOT / "app.py", LAYERS.index("app")
    for name in LAYERS[:-1]:
        for path in sorted((ROOT / name).rglob("*.py")):
            yield path, LAYERS.index(name)


def _imports(tree, package):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside its own package
                yield package
            else:
                yield node.module
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_module_imports_a_layer_above_its_own():
    upward, checked = [], 0
    for path, level in _files():
        tree = ast.parse(path.read_text(), str(path))
        checked += 1
        for module in _imports(tree, LAYERS[level]):
            other = _layer(module)
            if other is not None and other > level:
                upward.append(f"{path.relative_to(ROOT)} imports {module}")
    assert checked >= 40  # the app's modules were really read
    assert upward == []


def test_the_app_uses_only_public_streamlit_api():
    private = []
    for path, _ in _files():
        tree = ast.parse(path.read_text(), str(path))
        for module in _imports(tree, ""):
            if module and module.split(".")[0] == "streamlit" and module != "streamlit":
                private.append(f"{path.relative_to(ROOT)} imports {module}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and isinstance(node.value, ast.Name) and node.value.id == "st"):
                private.append(f"{path.relative_to(ROOT)} uses st.{node.attr}")
    assert private == []
