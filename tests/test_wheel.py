"""The package as a user gets it: the wheel `python -m build` makes holds web/ and the socket.io browser client, and
installed into a fresh virtual environment it serves every console from a directory outside the source tree."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, LIVE_TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
VENDOR = WEB / "static" / "vendor" / "socket.io"
CLIENT = ("socket.io.esm.min.js", "socket.io.esm.min.js.map")
# A first start migrates the new database and seeds the demo; a busy shared machine takes its time.
STARTUP_SECONDS = 60
SECRETARY = ("thu-ky-goi", "Một mật khẩu đủ dài cho thư ký")


def test_socketio_client_is_the_pinned_release() -> None:
    """The client kept in web/static/vendor is the release web/package-lock.json pins, byte for byte as npm has it."""
    lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/socket.io-client"]["version"]
    banner = (VENDOR / CLIENT[0]).read_text(encoding="utf-8").splitlines()[1]
    assert banner == f" * Socket.IO v{pinned}", (
        f"web/static/vendor/socket.io holds {banner.strip(' *')}, web/package-lock.json pins {pinned}")
    npm = WEB / "node_modules" / "socket.io-client"
    assert npm.is_dir(), "web/node_modules is missing: scripts/install test installs it"
    for name in CLIENT:
        assert (VENDOR / name).read_bytes() == (npm / "dist" / name).read_bytes(), (
            f"copy web/node_modules/socket.io-client/dist/{name} to web/static/vendor/socket.io/")
    assert (VENDOR / "LICENSE").read_bytes() == (npm / "LICENSE").read_bytes()


def _run(*command: str) -> str:
    """What the command printed; its output is the failure message when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"
    return done.stdout


@dataclass(frozen=True)
class Package:
    """The wheel `python -m build` made, and a fresh virtual environment it is installed in (not editable)."""

    wheel: Path
    venv: Path


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Package]:
    """Builds the wheel (a source distribution first, then the wheel from it) and installs it in a new environment.

    The dependencies pyproject.toml declares download while the wheel builds; installing the wheel afterwards checks
    that its own metadata asks for nothing missing. They are held to the versions of the environment running the
    tests, so this test sees the libraries the rest of the suite saw. The new environment has no pip of its own:
    the running one installs into it.
    """
    venv, dist = tmp_path_factory.mktemp("venv"), tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    frozen = _run(sys.executable, "-m", "pip", "freeze", "--exclude", "diemcau")
    (venv / "constraints.txt").write_text(frozen, encoding="utf-8")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
           "--constraint", str(venv / "constraints.txt")]
    with (venv / "pip.log").open("wb") as log:
        dependencies = subprocess.Popen([*pip, *declared], stdout=log, stderr=subprocess.STDOUT)
    try:
        _run(sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT))
        assert dependencies.wait(timeout=300) == 0, (venv / "pip.log").read_text()
    finally:
        if dependencies.poll() is None:
            dependencies.kill()
            dependencies.wait()
    (wheel,) = dist.glob("diemcau-*.whl")
    _run(*pip, str(wheel))
    yield Package(wheel, venv)


def test_wheel_holds_web_the_client_and_publishable_metadata(package: Package) -> None:
    with zipfile.ZipFile(package.wheel) as archive:
        names = set(archive.namelist())
        (metadata,) = (name for name in names if name.endswith(".dist-info/METADATA"))
        meta = HeaderParser().parsestr(archive.read(metadata).decode("utf-8"))
    web_files = {
        f"server/web/{path.relative_to(WEB).as_posix()}"
        for folder in ("templates", "static", "locales") for path in (WEB / folder).rglob("*") if path.is_file()
    }
    assert web_files - names == set()
    assert {f"server/web/static/vendor/socket.io/{name}" for name in (*CLIENT, "LICENSE")} <= names
    assert not [name for name in names if "node_modules" in name or "package.json" in name]
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert meta["License-Expression"] == "AGPL-3.0-or-later"
    assert meta["Description-Content-Type"] == "text/markdown" and "## Set-up" in meta.get_payload()
    assert "Framework :: aiohttp" in meta.get_all("Classifier")
    assert meta.get_all("Project-URL") is None, "no project URL until there is a real one"


def _outside_env() -> dict[str, str]:
    """The environment of the test run, without anything that could lead the server back to the source tree."""
    leads_back = ("DIEMCAU_", "PYTHON", "VIRTUAL_ENV")
    return {key: value for key, value in os.environ.items() if not key.startswith(leads_back)}


class Installed:
    """`diemcau serve --demo` of the installed package, run from an empty directory on a free loopback port."""

    def __init__(self, venv: Path, scratch: Path) -> None:
        self.command = str(venv / "bin" / "diemcau")
        self.cwd = scratch / "run"
        self.cwd.mkdir()
        self.tokens_file = scratch / "tokens.json"
        self.log = scratch / "server.log"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, Any] = {}

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [self.command, "serve", "--demo", "--demo-tokens", str(self.tokens_file), "--host", "127.0.0.1",
                 "--port", str(self.port)],
                # No drain period: stopping would otherwise wait DIEMCAU_DRAIN_SECONDS for consoles long gone.
                cwd=self.cwd, env={**_outside_env(), "DIEMCAU_DRAIN_SECONDS": "0"},
                stdout=log, stderr=subprocess.STDOUT,
            )

    async def wait_healthy(self) -> None:
        """Polled: a process on another interpreter has no event to await but its port answering."""
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError("the installed server exited:\n" + self.log.read_text())
                try:
                    async with http.get(self.base_url + "/healthz") as response:
                        if response.status == 200:
                            self.tokens = json.loads(self.tokens_file.read_text(encoding="utf-8"))
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("the installed server did not become healthy:\n" + self.log.read_text())

    async def create_secretary(self) -> None:
        """`diemcau create-user --role secretary`, the only way to a secretary account, on the server's database."""
        username, password = SECRETARY
        made = await asyncio.create_subprocess_exec(
            self.command, "create-user", "--role", "secretary", "--username", username, "--password", password,
            "--full-name", "Thư ký hội thảo", cwd=self.cwd, env=_outside_env(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await made.communicate()
        assert made.returncode == 0, err.decode()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(package: Package, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    server = Installed(package.venv, tmp_path_factory.mktemp("installed"))
    # The installed code, not the source tree's: the server package and web/ both come from the new environment.
    where = subprocess.run(
        [str(package.venv / "bin" / "python"), "-c", "import server.webdir; print(server.webdir.WEB)"],
        cwd=server.cwd, env=_outside_env(), check=True, capture_output=True, text=True, timeout=60,
    )
    assert Path(where.stdout.strip()).is_relative_to(package.venv), where.stdout
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Visits:
    """Browser contexts that record every failed response, console error and uncaught exception of their pages."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.problems: list[str] = []
        self.loaded: list[str] = []

    async def context(self) -> BrowserContext:
        context = await self.browser.new_context(viewport={"width": 1366, "height": 768})
        # On the context, so the operator's service worker, which keeps the scripts and the client, is heard too.
        context.on("response", lambda response: (
            self.problems.append(f"{response.status} {response.url}") if response.status >= 400
            else self.loaded.append(response.url)))
        context.on("requestfailed", lambda request: self.problems.append(f"failed {request.url}: {request.failure}"))
        return context

    async def page(self, context: BrowserContext) -> Page:
        page = await context.new_page()
        page.on("console", lambda message: self.problems.append(f"{page.url}: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        return page


async def live(page: Page) -> None:
    """The console's socket.io client connected and joined its conference."""
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)


async def test_installed_server_serves_every_console(served: Installed) -> None:
    if not CHROMIUM.exists():
        pytest.fail("The browser tests need Debian's chromium at /usr/bin/chromium (scripts/test installs it)")
    async with async_playwright() as playwright:
        browser, _ = await asyncio.gather(
            playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS), served.wait_healthy())
        visits = Visits(browser)
        t, c = served.tokens, served.tokens["conference_id"]

        async def join(role: str, token: str, path: str | None = None) -> None:
            page = await visits.page(await visits.context())
            await page.goto(f"{served.base_url}/join/{token}")
            if path is not None:
                # The staff's index page first loads what it lists: leaving before would abort those requests.
                await page.wait_for_load_state("networkidle")
                await page.goto(served.base_url + path)
            assert page.url.startswith(f"{served.base_url}/{role}/{c}"), (role, page.url)
            await live(page)

        async def secretary() -> None:
            # Made while the other consoles open: a second process on the server's SQLite file, as an admin runs it.
            await served.create_secretary()
            page = await visits.page(await visits.context())
            await page.goto(f"{served.base_url}/login?next=/chair/{c}")
            username, password = SECRETARY
            await page.locator("input[name=username]").fill(username)
            await page.locator("input[name=password]").fill(password)
            await page.locator("input[name=password]").press("Enter")
            await page.wait_for_url(f"{served.base_url}/chair/{c}")
            await live(page)

        async def verify() -> None:
            page = await visits.page(await visits.context())
            await page.goto(f"{served.base_url}/verify")
            await page.wait_for_load_state("networkidle")

        await asyncio.gather(
            join("admin", t["admin"], f"/admin/{c}"),
            join("chair", t["chair"], f"/chair/{c}"),
            join("operator", next(iter(t["operators"].values()))),
            join("delegate", next(iter(t["delegates"].values()))),
            join("display", t["display"]),
            secretary(),
            verify(),
        )
        await browser.close()
    assert visits.problems == []
    assert any(url.endswith("/static/vendor/socket.io/socket.io.esm.min.js") for url in visits.loaded)
    assert any(url.endswith("/static/css/app.css") for url in visits.loaded)
