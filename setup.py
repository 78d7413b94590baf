"""The packages of the wheel: pyproject.toml declares everything else, but cannot map a folder to a package."""
from setuptools import find_namespace_packages, setup

# web/ stays at the top of the source tree, where the consoles' scripts are edited and npm installs the test-only
# packages beside them; the wheel carries it as server/web, so an installed server finds it next to its code
# (server/webdir.py).
setup(
    packages=[*find_namespace_packages(include=["server*", "schema*"]), "server.web"],
    package_dir={"server.web": "web"},
)
