"""Where web/ is: the templates, scripts, styles and message catalogs the server serves and reads."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel carries web/ inside the package (setup.py maps it there); a checkout, installed editable or not, has it
# beside the package, at the top of the source tree.
WEB = _PACKAGE / "web" if (_PACKAGE / "web").is_dir() else _PACKAGE.parent / "web"
