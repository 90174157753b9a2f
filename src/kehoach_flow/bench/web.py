"""Web figures for `kehoach bench`: the overview, a plan page and the overdue list of the
national dataset on the busy day, served by `kehoach web --workers 2` in its own processes,
under 50 concurrent connections from a load generator on loopback: wrk (Debian's package)
when installed, else an httpx script with a fixed number of requests. Each page is also
given as a ratio to a trivial endpoint (/health) served by the same server in the same run,
measured just before and after it; every figure is the median of three such rounds. A page
whose measure fails is named; the others are kept."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

import httpx
from sqlalchemy import Engine

from kehoach_flow.accounts import add_user, authenticate
from kehoach_flow.bench.reminders import BUSY_DAY
from kehoach_flow.bench.run import BenchFailed
from kehoach_flow.db.engine import create_db_engine, upgrade
from kehoach_flow.errors import KehoachError
from kehoach_flow.loading import load_path
from kehoach_flow.prefect_server import free_port

CONCURRENCY = 50
PASSWORD = "bench-mat-khau"
TRIVIAL = "trivial"  # /health: the server's bare speed, the baseline of the pages
PAGES = ("overview", "plan_page", "overdue")
# Each page is measured in ROUNDS windows, each between two windows of /health, and its
# ratio is taken against those two: on a shared machine whose load drifts over a minute,
# a page compared with a /health measured half a minute earlier says more about the drift.
ROUNDS = 3
WINDOW_SECONDS = 2


def web_figures(definitions: Path, work: Path, requests: int = 500) -> dict[str, float]:
    database = f"sqlite:///{work / 'web' / 'kehoach.db'}"
    engine = create_db_engine(database)
    upgrade(engine)
    load_path(engine, definitions)
    add_user(engine, "bench", "Bench", "viewer", PASSWORD)
    signin = signin_figures(engine)
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "KEHOACH_DATABASE_URL": database,
        "KEHOACH_DATA_DIR": str(work / "web"),
        "KEHOACH_PORT": str(port),
        "KEHOACH_SECRET_KEY": "bench",
        "KEHOACH_COOKIE_SECURE": "false",
        "KEHOACH_TODAY": BUSY_DAY.isoformat(),  # the day the reminder figures use
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kehoach_flow.cli import main; main()",
            "web",
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    failures: dict[str, str] = {}
    try:
        figures = signin | asyncio.run(_measure(base, requests, failures))
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failures:
        raise BenchFailed(figures, failures)
    return figures


def signin_figures(engine: Engine, rounds: int = 15) -> dict[str, float]:
    """Median sign-in time for a known name (right password) and for an unknown one, taken
    in turns in the same run; their ratio near 1 means the time does not tell which names
    exist. Each attempt comes from its own address, so the failure lock never answers early."""
    known: list[float] = []
    unknown: list[float] = []
    for i in range(rounds):
        for username, password, times in (
            ("bench", PASSWORD, known),
            (f"khong-co-{i}", PASSWORD, unknown),
        ):
            started = time.perf_counter()
            authenticate(engine, username, password, f"10.9.{i}.{len(times)}")
            times.append(time.perf_counter() - started)
    known_ms, unknown_ms = 1000 * median(known), 1000 * median(unknown)
    return {
        "signin_known_ms": known_ms,
        "signin_unknown_ms": unknown_ms,
        "signin_unknown_ratio": unknown_ms / known_ms,
    }


async def _measure(base: str, requests: int, failures: dict[str, str]) -> dict[str, float]:
    """Sign in, warm every page up on both workers, then measure in ROUNDS rounds, each page
    between two windows of /health (wrk when installed, else httpx); a figure is the median
    over the rounds. A page that fails goes to `failures` under its name, the others go on."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await _wait_up(client)
        page = await client.get("/dang-nhap")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if token is None:
            raise KehoachError("bench: không thấy biểu mẫu đăng nhập")
        form = {
            "csrf_token": token.group(1),
            "username": "bench",
            "password": PASSWORD,
            "next": "/",
        }
        if (await client.post("/dang-nhap", data=form)).status_code != 303:
            raise KehoachError("bench: đăng nhập không được")
        plan = (await client.get("/api/plans")).json()[0]["key"]
        paths = {
            TRIVIAL: "/health",
            "overview": "/",
            "plan_page": f"/ke-hoach/{plan}",
            "overdue": "/qua-han",
        }
        for name, path in paths.items():
            try:
                await _warm_up(client, path)
            except httpx.HTTPError as exc:
                failures[name] = str(exc) or type(exc).__name__
        session = client.cookies.get("kehoach_session") or ""

        async def measure(name: str) -> dict[str, float]:
            """One window of `name`; {} once it has failed (named in `failures`)."""
            if name in failures:
                return {}
            try:
                if shutil.which("wrk"):
                    url = f"{base}{paths[name]}"
                    return await asyncio.to_thread(_wrk, url, session, name, WINDOW_SECONDS)
                return await _load(client, name, paths[name], max(1, requests // ROUNDS))
            except (KehoachError, httpx.HTTPError, subprocess.SubprocessError, OSError) as exc:
                failures[name] = str(exc) or type(exc).__name__
                return {}

        rounds: list[dict[str, float]] = []
        for _ in range(ROUNDS):
            measured = await measure(TRIVIAL)
            before = measured.get(f"{TRIVIAL}_rps")
            for name in PAGES:
                measured |= await measure(name)
                after_figures = await measure(TRIVIAL)
                after = after_figures.get(f"{TRIVIAL}_rps")
                if f"{name}_rps" in measured and before and after:
                    # the page against the mean of the /health windows either side of it
                    paired = {f"{TRIVIAL}_rps": (before + after) / 2, **measured}
                    measured |= {
                        k: v for k, v in ratios_to_trivial(paired).items() if k.startswith(name)
                    }
                before = after
            rounds.append(measured)
        return _medians(rounds)


def _medians(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds that have it."""
    names = dict.fromkeys(name for measured in rounds for name in measured)
    return {name: median(m[name] for m in rounds if name in m) for name in names}


def ratios_to_trivial(figures: dict[str, float]) -> dict[str, float]:
    """Each page's requests per second over the trivial endpoint's, in the same run: the
    share of the server's bare speed a page keeps (1 = as fast as /health)."""
    trivial = figures.get(f"{TRIVIAL}_rps")
    if not trivial:
        return {}
    return {
        f"{name}_ratio_to_trivial": figures[f"{name}_rps"] / trivial
        for name in PAGES
        if f"{name}_rps" in figures
    }


async def _warm_up(client: httpx.AsyncClient, path: str) -> None:
    """Requests in parallel, so both workers derive the states before any window starts."""
    for _ in range(4):
        for response in await asyncio.gather(*(client.get(path) for _ in range(10))):
            response.raise_for_status()


def _wrk(url: str, session: str, name: str, seconds: int = WINDOW_SECONDS) -> dict[str, float]:
    """wrk (Debian's package), 2 threads, 50 connections, for a fixed time: a load generator
    in C, so the Python server, not the generator, is what the figures measure."""
    command = [
        "wrk",
        "-t2",
        f"-c{CONCURRENCY}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Cookie: kehoach_session={session}",
        url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    if "Non-2xx" in output:
        raise KehoachError(f"bench: {url} trả về lỗi dưới tải:\n{output}")
    return parse_wrk(output, name)


def parse_wrk(output: str, name: str) -> dict[str, float]:
    """p50, p99 (ms) and requests per second from `wrk --latency` output, whatever unit wrk
    chose for a latency (us, ms, s, m, h; a unit of one letter is followed by a space)."""
    percentile = {
        p: _ms(value, unit)
        for p, value, unit in re.findall(
            r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE
        )
    }
    rps = re.search(r"^Requests/sec:\s+([\d.]+)\s*$", output, re.MULTILINE)
    if len(percentile) != 2 or rps is None:
        raise KehoachError(f"bench: không đọc được kết quả wrk:\n{output}")
    return {
        f"{name}_p50_ms": percentile["50"],
        f"{name}_p99_ms": percentile["99"],
        f"{name}_rps": float(rps.group(1)),
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}[unit]


async def _wait_up(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 120  # two worker processes importing the app on a busy box
    while time.monotonic() < deadline:
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    raise KehoachError("bench: kehoach web không khởi động")


async def _load(client: httpx.AsyncClient, name: str, path: str, requests: int) -> dict[str, float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            response = await client.get(path)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise KehoachError(f"bench: {path} trả về {response.status_code}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        f"{name}_p50_ms": 1000 * latencies[len(latencies) // 2],
        f"{name}_p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        f"{name}_rps": len(latencies) / elapsed,
    }
