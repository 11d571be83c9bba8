"""``make run PORT=...`` end to end: the report's QR code, read by a decoder, opens the passport on that server.

The server is started as ``make run`` starts it (the development settings, ``PLATFORM_DEV_HOST``/``PORT`` from
``HOST``/``PORT``, ``seed_demo``, ``runserver``) on a fresh SQLite file, on a free port rather than 8101 so that a
developer's own ``make run PORT=8101`` is not disturbed; the port is the only thing that differs. The report PDF is
drawn by poppler and read by zxing-cpp, and the decoded URL is fetched over HTTP like a phone would.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RENDER_REPORT = """
import django
django.setup()
from passports.models import Passport
from exporters.reports.rendering import render_version_report
passport = Passport.objects.get(
    organization__slug="hanbit-energy", product__category="battery", granularity="model", status="published"
)
version = passport.versions.get(status="published")
open({out!r}, "wb").write(render_version_report(version, tier="public", lang="en"))
print(passport.product.name)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], int, Path]]:
    folder = tmp_path_factory.mktemp("make-run")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLATFORM_", "DJANGO_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        PLATFORM_DEV_HOST="127.0.0.1",  # the Makefile's HOST and PORT, exported as make run does
        PLATFORM_DEV_PORT=str(port),
        MEDIA_ROOT=str(folder / "media"),
        BACKUP_STORE_URL=(folder / "backup").as_uri(),
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    printed = subprocess.run([*manage, "public_address"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    assert f"Public address: http://localhost:{port}/" in printed.stdout
    server = subprocess.Popen(  # the same command line as make run's last step
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield env, port, folder
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_reports_qr_code_opens_the_passport_on_the_served_port(served: tuple[dict[str, str], int, Path]) -> None:
    env, port, folder = served
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev dependency) decodes the QR code")
    image = pytest.importorskip("PIL.Image", reason="Pillow opens the drawn page")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils)")
    pdf = folder / "report.pdf"
    rendered = subprocess.run(
        [sys.executable, "-c", RENDER_REPORT.format(out=str(pdf))], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    product_name = rendered.stdout.strip().splitlines()[-1]
    subprocess.run(
        [pdftoppm, "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-png", str(pdf), str(folder / "p1")], check=True
    )
    decoded = [
        result.text
        for result in zxingcpp.read_barcodes(image.open(folder / "p1.png"))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]
    assert len(decoded) == 1
    url = decoded[0]
    assert url.startswith(f"http://localhost:{port}/01/"), url  # a name, never 127.0.0.1; the served port
    scan = urllib.request.Request(url, headers={"Accept": "text/html", "Accept-Language": "en"})  # noqa: S310  # http to our server, checked above
    with urllib.request.urlopen(scan, timeout=30) as response:  # noqa: S310  # the same request
        assert response.status == 200
        assert response.url.startswith(f"http://localhost:{port}/dpp/01/")  # the resolver's default link
        page = response.read().decode()
    assert product_name in page
    assert f"did:web:localhost%3A{port}:orgs:hanbit-energy" in page
