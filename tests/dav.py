"""Real CardDAV/CalDAV components for tests: a Radicale server, vdirsyncer and khard.

Everything runs on 127.0.0.1 from folders under the test's tmp_path: the
server is started on a free port with no authentication and stopped by its
PID; every program is given its own config file (nothing of the user's is
read) and a timeout. Reusable for contacts (an address book) and for to-dos
(a calendar collection), e.g.:

    with Radicale(tmp_path) as server:
        url = server.collection("contacts", "addressbook")
        pair = Vdirsyncer(tmp_path, "contacts", local=vdir, url=url, fileext=".vcf")
        pair.sync()
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

TIMEOUT_S = 60
USER = "cno-test"
BIN = Path(sys.executable).parent  # the environment's radicale, vdirsyncer and khard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    """(status, body) of one HTTP request; an HTTP error status is returned, not raised."""
    import base64

    auth = "Basic " + base64.b64encode(f"{USER}:unused".encode()).decode()
    req = urllib.request.Request(url, data=body, method=method, headers={"Authorization": auth, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


_ADDRESSBOOK = b"""<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set>
</D:mkcol>"""
_CALENDAR = b"""<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><C:supported-calendar-component-set><C:comp name="VTODO"/><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set>
</C:mkcalendar>"""


class Radicale:
    """A Radicale server on a free port of 127.0.0.1, its storage in `root`."""

    def __init__(self, root: Path):
        self.root = root / "radicale"
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Radicale":
        config = self.root / "config"
        config.write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n[auth]\ntype = none\n[rights]\ntype = authenticated\n"
            f"[storage]\nfilesystem_folder = {self.root / 'collections'}\n[logging]\nlevel = warning\n"
        )
        self.log = open(self.root / "log", "wb")
        self.proc = subprocess.Popen(
            [str(BIN / "radicale"), "--config", str(config)], stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"radicale exited: {(self.root / 'log').read_text()}")
            try:
                request("GET", self.base + "/")
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("radicale did not answer in time") from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()

    def collection(self, name: str, kind: str) -> str:
        """Create a collection (`addressbook` or `calendar`) of the test user; its URL."""
        url = f"{self.base}/{USER}/{name}/"
        if kind == "addressbook":
            status, body = request("MKCOL", url, _ADDRESSBOOK, {"Content-Type": "application/xml"})
        else:
            status, body = request("MKCALENDAR", url, _CALENDAR, {"Content-Type": "application/xml"})
        assert status in (201, 200), (status, body)
        return url

    def items(self, url: str) -> list[str]:
        """The hrefs of a collection's items (PROPFIND, depth 1)."""
        import re

        status, body = request("PROPFIND", url, b'<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
                               {"Depth": "1", "Content-Type": "application/xml"})  # fmt: skip
        assert status == 207, status
        hrefs = re.findall(r"<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>", body.decode())
        return [h for h in hrefs if not h.endswith("/")]


def run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    """A program, bounded in time, never reading the terminal; its output is kept for the assertion message."""
    r = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL, **kw)
    assert r.returncode == 0, f"{' '.join(argv)} → {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


class Vdirsyncer:
    """A vdirsyncer config in `root` pairing the local vdir `local` with the server collection `url`."""

    def __init__(self, root: Path, name: str, *, local: Path, url: str, fileext: str):
        kind = "carddav" if fileext == ".vcf" else "caldav"
        self.config = root / f"vdirsyncer-{name}.conf"
        self.config.write_text(
            f'[general]\nstatus_path = "{root / ("vdirsyncer-status-" + name)}"\n\n'
            f'[pair {name}]\na = "{name}_local"\nb = "{name}_remote"\ncollections = null\n'
            'conflict_resolution = "a wins"\n\n'
            f'[storage {name}_local]\ntype = "filesystem"\npath = "{local}"\nfileext = "{fileext}"\n\n'
            f'[storage {name}_remote]\ntype = "{kind}"\nurl = "{url}"\nusername = "{USER}"\npassword = "unused"\n'
        )
        self.name = name

    def sync(self) -> None:
        run([str(BIN / "vdirsyncer"), "--config", str(self.config), "discover", self.name])
        run([str(BIN / "vdirsyncer"), "--config", str(self.config), "sync", self.name])


class Khard:
    """khard with a config in `root` whose one address book is the vdir `folder`."""

    def __init__(self, root: Path, folder: Path):
        self.config = root / "khard.conf"
        self.config.write_text(
            f"[addressbooks]\n[[cno]]\npath = {folder}\n\n[general]\ndebug = no\ndefault_action = list\n"
            "editor = /bin/true\nmerge_editor = /bin/true\n\n[contact table]\nlocalize_dates = no\n\n"
            "[vcard]\npreferred_version = 4.0\n"
        )

    def __call__(self, *args: str) -> str:
        env = {**os.environ, "HOME": str(self.config.parent), "XDG_CONFIG_HOME": str(self.config.parent)}
        return run([str(BIN / "khard"), "-c", str(self.config), *args], env=env).stdout
