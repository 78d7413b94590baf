"""Behind nginx: the configuration in docs/production.md, as written there, with TLS on a port of its own in front of
two server processes on PostgreSQL and Redis, and Chromium consoles connected through it.

Only the name, the port, the certificate and the upstream addresses of the documented block are replaced, so a
change to the documented configuration that breaks the consoles breaks this test.
"""
from __future__ import annotations

import asyncio
import getpass
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from playwright.async_api import Browser, BrowserContext, Page, expect

from server.simulate.loopback import ROOT, Server, free_port, stop_process
from tests.support.browser import LIVE_TIMEOUT_MS, assert_not_reloaded, mark
from tests.support.http import Call
from tests.support.servers import Redis, start_server, stop_server

# Fixtures of the browser tests, used here by name.

# Two server processes, nginx and Chromium on two cores, with restarts timed by the drain: run alone (scripts/test).
pytestmark = pytest.mark.solo

DOC = ROOT / "docs" / "production.md"
MARK = "<!-- nginx: several processes -->"
# The documented example's values, each replaced by the test's own.
DOC_PORT = "listen 443 ssl;"
DOC_CERTIFICATE = "/etc/letsencrypt/live/hoithao.example.vn/fullchain.pem"
DOC_KEY = "/etc/letsencrypt/live/hoithao.example.vn/privkey.pem"
DOC_UPSTREAMS = ("server 127.0.0.1:8081 ", "server 127.0.0.1:8082 ")
DOC_NAME = "hoithao.example.vn"
METRICS_TOKEN = "behind-nginx-metrics-token"
ENV = {
    # Both processes sign with one key: a session made through one is accepted by the other.
    "DIEMCAU_SECRET_KEY": "test-secret-behind-nginx",
    "DIEMCAU_SUBMIT_RATE": "100000/60",
    "DIEMCAU_TRUSTED_PROXIES": "127.0.0.1",
    "DIEMCAU_METRICS_TOKEN": METRICS_TOKEN,
    "DIEMCAU_DRAIN_SECONDS": "1",
    "DIEMCAU_REDIS_PING_SECONDS": "0.5",
}


def documented_block() -> str:
    """The nginx configuration of docs/production.md: the ```nginx block right after its marker."""
    found = re.search(re.escape(MARK) + r"\s*```nginx\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found, f"docs/production.md has no ```nginx block after {MARK}"
    return found.group(1)


def configure(block: str, port: int, certificate: Path, key: Path, upstreams: list[str]) -> str:
    replacements = {
        DOC_PORT: f"listen 127.0.0.1:{port} ssl;",
        DOC_CERTIFICATE: str(certificate),
        DOC_KEY: str(key),
        **{documented: f"server {address} " for documented, address in zip(DOC_UPSTREAMS, upstreams, strict=True)},
        DOC_NAME: "localhost",
    }
    for documented, ours in replacements.items():
        assert documented in block, f"docs/production.md's nginx block no longer has {documented!r}"
        block = block.replace(documented, ours)
    return block


def certificates(directory: Path) -> tuple[Path, Path, ssl.SSLContext]:
    """A certificate authority of the test's own and a certificate it signed for localhost: the certificate chain
    and key for nginx, and a client context that trusts that authority alone."""
    now = datetime.now(UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def usage(signs: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=not signs,
            key_cert_sign=signs,
            crl_sign=signs,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            encipher_only=False,
            decipher_only=False,
        )

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("Điểm Cầu test CA")).issuer_name(name("Điểm Cầu test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(signs=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
        .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(signs=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    chain, key = directory / "chain.pem", directory / "key.pem"
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key.chmod(0o600)
    trust = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return chain, key, trust


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail(
            "The test behind nginx needs nginx (Debian: apt-get install nginx; scripts/test installs it)", pytrace=False
        )
    return found


def main_config(directory: Path, site: str) -> str:
    """nginx.conf around the documented site: everything nginx writes stays in the test's directory."""
    # As root nginx would hand its workers to "nobody", who cannot enter the test's directory.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {directory / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'} "
        "info;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    access_log {directory / 'access.log'};\n{temp}{site}}}\n"
    )


@dataclass
class Nginx:
    """An nginx of the test's own, in the foreground."""

    url: str
    process: subprocess.Popen[bytes]
    directory: Path

    def stop(self) -> None:
        stop_process(self.process)

    def error_log(self) -> str:
        return (self.directory / "error.log").read_text(errors="replace")


async def start_nginx(directory: Path, port: int, upstreams: list[str]) -> tuple[Nginx, ssl.SSLContext]:
    directory.mkdir(parents=True, exist_ok=True)
    chain, key, trust = certificates(directory)
    site = configure(documented_block(), port, chain, key, upstreams)
    (directory / "nginx.conf").write_text(main_config(directory, site))
    process = subprocess.Popen(
        [nginx_binary(), "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", str(directory / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    nginx = Nginx(f"https://localhost:{port}", process, directory)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("nginx exited:\n" + nginx.error_log())
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return nginx, trust
        await asyncio.sleep(0.05)
    nginx.stop()
    raise RuntimeError("nginx did not listen:\n" + nginx.error_log())


@dataclass
class Stack:
    """Two server processes on one PostgreSQL database and Redis, behind nginx; a process restarts on its port."""

    nginx: Nginx
    trust: ssl.SSLContext
    servers: list[Server]
    directories: list[Path]
    env: dict[str, str]
    database: str
    contexts: list[BrowserContext] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.nginx.url

    @property
    def conference_id(self) -> int:
        return self.servers[0].conference_id

    def port(self, index: int) -> int:
        return int(self.servers[index].base_url.rsplit(":", 1)[1])

    async def stop(self, index: int) -> float:
        """SIGTERM one process and wait for its graceful stop; return how long it took."""
        began = time.monotonic()
        server = self.servers[index]
        server.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(server.process.wait, 30) == 0, server.log.read_text()
        return time.monotonic() - began

    async def start(self, index: int) -> None:
        """Start a stopped process again on its port, where nginx expects it."""
        self.servers[index] = await start_server(
            self.directories[index], self.env, self.database, port=self.port(index)
        )

    async def metrics(self, index: int, http: aiohttp.ClientSession) -> str:
        """Process `index`'s /metrics, asked directly with the token: nginx refuses it to everyone."""
        headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        async with http.get(self.servers[index].base_url + "/metrics", headers=headers) as response:
            assert response.status == 200, await response.text()
            return await response.text()

    async def consoles_on(self, index: int, http: aiohttp.ClientSession) -> dict[str, int]:
        """The consoles process `index` holds, by role."""
        found = re.finditer(r'diemcau_connected_consoles\{role="(\w+)"\} (\S+)', await self.metrics(index, http))
        return {m[1]: int(float(m[2])) for m in found}

    async def other_than(self, role: str, http: aiohttp.ClientSession) -> Server:
        """The process that does not hold the one console of `role`: what is written through it reaches that
        console only through Redis."""
        held = [(await self.consoles_on(index, http)).get(role, 0) for index in range(2)]
        assert sorted(held) == [0, 1], f"the {role} console is not on exactly one process: {held}"
        return self.servers[held.index(0)]

    async def fanout_errors(self, http: aiohttp.ClientSession) -> float:
        """Pushes that Redis did not take, over both processes."""
        texts = [await self.metrics(index, http) for index in range(len(self.servers))]
        return sum(
            float(m[1]) for text in texts for m in re.finditer(r"^diemcau_fanout_errors_total (\S+)$", text, re.M)
        )


@pytest.fixture
async def stack(tmp_path: Path, database: str, redis: Redis) -> AsyncIterator[Stack]:
    """Two demo processes on the test's database and Redis, behind the documented nginx on a port of its own."""
    port = free_port()
    env = {**ENV, "DIEMCAU_REDIS_URL": redis.url, "DIEMCAU_PUBLIC_URL": f"https://localhost:{port}"}
    directories = [tmp_path / "p0", tmp_path / "p1"]
    servers: list[Server] = []
    try:
        # The first seeds the demo workshop; the second finds it.
        for directory in directories:
            servers.append(await start_server(directory, env, database))
        nginx, trust = await start_nginx(
            tmp_path / "nginx", port, [s.base_url.removeprefix("http://") for s in servers]
        )
        try:
            result = Stack(nginx, trust, servers, directories, env, database)
            yield result
            # The pages go first: the servers then stop with no console to let go.
            for context in result.contexts:
                await context.close()
            assert result.problems == [], "a console page threw"
        finally:
            nginx.stop()
    finally:
        # A restart replaced its entry in the list the stack shares with this fixture.
        for server in servers:
            stop_server(server)


async def open_page(browser: Browser, stack: Stack, url: str) -> Page:
    # Chromium is not told about the test's authority: it is the Python clients here that check the certificate.
    context = await browser.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 768})
    stack.contexts.append(context)
    await context.add_cookies([{"name": "diemcau_lang", "value": "vi", "url": stack.url}])
    page = await context.new_page()
    page.on("pageerror", lambda error: stack.problems.append(f"uncaught: {error}"))
    await page.goto(url)
    return page


async def chair_signs_in(browser: Browser, stack: Stack) -> Page:
    """The chair through the sign-in form: a cookie session, and a form post whose Origin the server must accept."""
    c = stack.conference_id
    page = await open_page(browser, stack, f"{stack.url}/login?next=/chair/{c}")
    await page.locator("input[name=username]").fill("chair")
    await page.locator("input[name=password]").fill(stack.servers[0].tokens["passwords"]["chair"])
    await page.locator("form button[type=submit]").click()
    await expect(page).to_have_url(f"{stack.url}/chair/{c}")
    await online(page)
    return page


async def display_joins(browser: Browser, stack: Stack) -> Page:
    page = await open_page(browser, stack, f"{stack.url}/join/{stack.servers[0].tokens['display']}")
    await expect(page).to_have_url(f"{stack.url}/display/{stack.conference_id}")
    await online(page)
    return page


async def online(page: Page) -> None:
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)


async def check_in(call: Call, server: Server, code: str, person: int) -> None:
    """A check-in sent to one process directly, past nginx."""
    reply = await call(
        "POST", server.api("/checkins"), server.tokens["operators"][code], json={"participant_id": person}
    )
    assert reply.status == 201, reply.body


async def comment(call: Call, server: Server, token: str, body: str) -> int:
    """A comment sent to one process directly; its id."""
    reply = await call("POST", server.api("/comments"), token, json={"body": body})
    assert reply.status == 201, reply.body
    return int(reply.body["id"])


async def roster(call: Call, server: Server, code: str) -> list[int]:
    reply = await call("GET", server.api("/participants?limit=1000"), server.tokens["operators"][code])
    return [int(p["id"]) for p in reply.body["items"]]


async def agenda(call: Call, server: Server) -> list[str]:
    return [item["title"] for item in (await call("GET", server.api("/agenda"), server.tokens["chair"])).body["items"]]


async def test_the_public_side_hides_metrics_and_keeps_a_polling_session_on_one_process(stack: Stack) -> None:
    connector = aiohttp.TCPConnector(ssl=stack.trust)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(stack.url + "/healthz") as response:
            assert response.status == 200
            assert "diemcau_lb" in response.cookies, "nginx gave no stickiness cookie"
        async with http.get(stack.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as response:
            assert response.status == 403, "/metrics answers through nginx"
            assert "diemcau_lb" not in response.cookies, "nginx replaced the cookie the browser sent"
        # The right password from another origin, or from the public one over plain http, is refused.
        form = {"username": "chair", "password": stack.servers[0].tokens["passwords"]["chair"], "next": ""}
        for origin in ("https://hoithao.example.vn", stack.url.replace("https://", "http://")):
            async with http.post(
                stack.url + "/login", data=form, headers={"Origin": origin}, allow_redirects=False
            ) as response:
                assert response.status == 403, (origin, response.status)
        http.cookie_jar.clear()

        # Long-polling, spoken by hand (Engine.IO 4): every request of the session must reach the process that
        # holds it, and only the cookie nginx set on the first one keeps them together.
        polling = stack.url + "/socket.io/?EIO=4&transport=polling"
        async with http.get(polling) as response:
            handshake = json.loads((await response.text())[1:])
        session = f"{polling}&sid={handshake['sid']}"
        token, c = stack.servers[0].tokens["display"], stack.conference_id
        for n, packet in enumerate(
            [
                "40" + json.dumps({"token": token}),
                *(f'42{n}["join",{{"conference_id":{c},"after_seq":0}}]' for n in range(1, 6)),
            ]
        ):
            async with http.post(session, data=packet) as response:
                assert response.status == 200, f"packet {n}: {response.status} {await response.text()}"
            async with http.get(session) as response:
                answer = await response.text()
                assert response.status == 200, f"poll {n}: {response.status} {answer}"
            assert answer.startswith("40" if n == 0 else f"43{n}["), answer
            if n:
                assert json.loads(answer[len(f"43{n}"):])[0]["ok"], answer
        async with http.post(session, data="1") as response:
            assert response.status == 200


async def test_consoles_through_nginx_follow_writes_on_either_process_and_a_rolling_restart(
    stack: Stack, browser: Browser, call: Call, http: aiohttp.ClientSession
) -> None:
    a = stack.servers[0]
    titles = await agenda(call, a)
    people = {code: await roster(call, a, code) for code in ("HGI", "CTO", "BCA")}
    chair = await chair_signs_in(browser, stack)
    display = await display_joins(browser, stack)
    await mark(chair)
    await mark(display)

    await chair.locator("#agenda-next").click()
    await expect(display.locator("#current-item")).to_have_text(titles[0], timeout=LIVE_TIMEOUT_MS)

    # A write through the process that does not hold the display reaches it through Redis.
    await check_in(call, await stack.other_than("display", http), "HGI", people["HGI"].pop())
    await expect(display.locator("#present")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
    await expect(chair.locator("#present-total")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)

    # A rolling restart: each process in turn stops gracefully and comes back on its port. The consoles on it
    # reconnect through nginx by themselves, to the other process, and hear what was written while they moved.
    present = 1
    for index, code in ((0, "CTO"), (1, "BCA")):
        stopped = await stack.stop(index)
        assert stopped < 10, f"process {index} took {stopped:.1f} s to stop"
        await check_in(call, stack.servers[1 - index], code, people[code].pop())
        await stack.start(index)
        await check_in(call, stack.servers[index], code, people[code].pop())
        present += 2
        await online(chair)
        await online(display)
        await expect(display.locator("#present")).to_have_text(str(present), timeout=LIVE_TIMEOUT_MS)
        await chair.locator("#agenda-next").click()
        await expect(display.locator("#current-item")).to_have_text(titles[index + 1], timeout=LIVE_TIMEOUT_MS)
    await expect(chair.locator("#present-total")).to_have_text(str(present))
    await assert_not_reloaded(chair)
    await assert_not_reloaded(display)


async def test_consoles_through_nginx_have_every_event_after_redis_froze(
    stack: Stack, browser: Browser, call: Call, http: aiohttp.ClientSession, redis: Redis
) -> None:
    a = stack.servers[0]
    titles = await agenda(call, a)
    people = await roster(call, a, "HGI")
    delegates = sorted(a.tokens["delegates"].values())
    chair = await chair_signs_in(browser, stack)
    display = await display_joins(browser, stack)
    await mark(chair)
    await mark(display)
    assert redis.process is not None

    # Redis stops answering without closing a connection: only the processes' pings can tell. Every write goes
    # through the process that does not hold the console it is for, and the last ones (a comment for the chair,
    # the agenda for everyone) have nothing after them that would show a console its gap.
    not_display, not_chair = await stack.other_than("display", http), await stack.other_than("chair", http)
    redis.process.send_signal(signal.SIGSTOP)
    try:
        began = time.monotonic()
        for _ in range(6):
            await check_in(call, not_display, "HGI", people.pop())
        # The coalesced attendance totals go out within a quarter of a second: let them go first.
        await asyncio.sleep(0.5)
        commented = [await comment(call, not_chair, delegates[n], f"Góp ý số {n} khi Redis đứng.") for n in range(4)]
        reply = await call(
            "POST", not_display.api("/agenda/next"), a.tokens["chair"], json={"expected_current_id": None}
        )
        assert reply.status == 200, reply.body
        await asyncio.sleep(max(0.0, 3 - (time.monotonic() - began)))
    finally:
        redis.process.send_signal(signal.SIGCONT)

    # The freeze did cost pushes between the processes: what follows the consoles recovered by joining again.
    assert await stack.fanout_errors(http) >= 1, "no push failed while Redis was frozen"
    await expect(display.locator("#present")).to_have_text("6", timeout=LIVE_TIMEOUT_MS)
    await expect(display.locator("#current-item")).to_have_text(titles[0], timeout=LIVE_TIMEOUT_MS)
    await expect(chair.locator("#present-total")).to_have_text("6", timeout=LIVE_TIMEOUT_MS)
    # Each comment is an event of its own, with no later total to stand in for one that was missed.
    cards = chair.locator("#feed > li.kind-comment")
    await expect(cards).to_have_count(len(commented), timeout=LIVE_TIMEOUT_MS)
    assert sorted(int(i) for i in await cards.evaluate_all("cards => cards.map(c => c.dataset.id)")) == sorted(
        commented
    )
    await online(chair)
    await online(display)
    await assert_not_reloaded(chair)
    await assert_not_reloaded(display)
