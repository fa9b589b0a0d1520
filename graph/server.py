"""A local Neo4j Community server, run from Maven Central jars (no Docker, no tarball).

``start(home, ...)`` fetches ``org.neo4j:neo4j`` and its runtime dependencies with Maven into a
cache shared by every home (``~/.cache/stakeholder-graph/neo4j-<version>/lib``, or under
``$STAKEHOLDER_GRAPH_CACHE``), writes ``HOME/conf/neo4j.conf``, sets the initial password, starts
``org.neo4j.server.CommunityEntryPoint`` detached with its output in ``HOME/logs``, writes
``HOME/run/neo4j.pid`` and returns once Bolt answers a query. ``stop`` shuts it down gracefully;
``status`` says whether it runs.

Measured on a 2-core, 24 GB machine: first fetch of 5.26.30 with a cold Maven repository 41 s
(213 jars, 123 MB); a cache hit costs nothing. A fresh home starts in about 30 s (the JVM and the
Cypher planner warm up); graceful stop takes about 12 s.

Why 5.26: it is the LTS line and the last that runs on Java 17. Why not Neo4j's own launcher
(``Neo4jCommand``): it builds a command line without the JVM options the packaged config
normally supplies, so we build the line ourselves (``java_command`` shows it).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import StoreError

#: Newest 5.26 patch Maven Central served when this was written (5.26.0 ... 5.26.30 listed).
NEO4J_VERSION = "5.26.30"
DEFAULT_BOLT_PORT = 7687
#: Small enough for a test session beside the rest of the suite.
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "512m"
#: What ``stakeholder-graph neo4j start`` asks for on a 2-core, 24 GB machine: a 20,000-partner
#: graph needs well under 1 GB of store, so 4 GB of heap (query memory for 200k-row loads) and
#: 2 GB of page cache leave most of the memory to pandas and the dashboard.
MACHINE_HEAP = "4g"
MACHINE_PAGECACHE = "2g"
MIN_PASSWORD_LENGTH = 8  # Neo4j's dbms.security.auth_minimum_password_length default
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0

#: JVM options that Neo4j's packaged neo4j.conf passes (server.jvm.additional); started
#: directly, the entry point needs them too.
JVM_OPTIONS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"

INSTALL_HINT = (
    "install them with `apt-get install openjdk-17-jre-headless maven`, "
    "or run Neo4j elsewhere (Docker: `docker run -p 7687:7687 -e NEO4J_AUTH=neo4j/PASSWORD "
    "neo4j:5`, or Neo4j Aura) and point NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD at it"
)

#: progress(message) — start() reports its steps (fetching, starting, waiting) through it.
StepReporter = Callable[[str], None]

_SIZE = re.compile(r"^[1-9][0-9]*[kmgKMG]?$")

# Children started by this process: reaped on stop so a dead server is not seen as a zombie.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class ServerInfo:
    """A running (or just started) local server.

    ``already_running`` is True when ``start`` found it running and did nothing;
    ``seconds`` is how long ``start`` took (fetch included).
    """

    home: Path
    uri: str
    pid: int
    bolt_port: int
    version: str = NEO4J_VERSION
    already_running: bool = False
    seconds: float = 0.0
    fetch_seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "home": str(self.home),
            "uri": self.uri,
            "pid": self.pid,
            "bolt_port": self.bolt_port,
            "version": self.version,
            "already_running": self.already_running,
            "seconds": round(self.seconds, 3),
            "fetch_seconds": round(self.fetch_seconds, 3),
        }


# --------------------------------------------------------------------------- jars


def cache_root() -> Path:
    """``$STAKEHOLDER_GRAPH_CACHE`` or ``~/.cache/stakeholder-graph``."""
    override = os.environ.get("STAKEHOLDER_GRAPH_CACHE")
    return Path(override).expanduser() if override else Path.home() / ".cache" / "stakeholder-graph"


def lib_dir(version: str = NEO4J_VERSION) -> Path:
    """Where the jars of ``version`` live once fetched."""
    return cache_root() / f"neo4j-{version}" / "lib"


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise StoreError(f"`{tool}` is not installed; a local Neo4j needs Java 17+ and Maven: "
                         + INSTALL_HINT)
    return path


_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>stakeholder-graph</groupId>
  <artifactId>neo4j-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""
_COMPLETE = ".complete"


def fetch(version: str = NEO4J_VERSION, *, progress: StepReporter | None = None) -> Path:
    """Download the jars of Neo4j ``version`` once; return their folder.

    The jars are copied into a temporary folder that is renamed into place only when Maven
    succeeded, so an interrupted fetch never leaves a half-filled cache behind.
    """
    target = lib_dir(version)
    if (target / _COMPLETE).exists():
        return target
    mvn = _require("mvn")
    _require("java")
    if progress is not None:
        progress(f"fetching Neo4j {version} jars with Maven into {target} (first use only)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="neo4j-fetch-", dir=target.parent) as tmp:
        work = Path(tmp)
        (work / "pom.xml").write_text(_POM.format(version=version), encoding="utf-8")
        out = work / "lib"
        cmd = [mvn, "-q", "-B", "dependency:copy-dependencies", "-DincludeScope=runtime",
               f"-DoutputDirectory={out}"]
        try:
            done = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=1800,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise StoreError(f"Maven did not fetch Neo4j {version} within 30 minutes") from exc
        if done.returncode != 0 or not any(out.glob(f"neo4j-{version}.jar")):
            tail = _tail_text((done.stdout or "") + (done.stderr or ""), 20)
            raise StoreError(
                f"Maven could not fetch org.neo4j:neo4j:{version} (exit {done.returncode}); "
                f"check that Maven Central is reachable.\n{tail}"
            )
        (out / _COMPLETE).write_text(version, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    return target


# --------------------------------------------------------------------------- home


def _check_size(name: str, value: str) -> str:
    if not _SIZE.match(value):
        raise StoreError(f"{name} must look like 512m or 4g, got {value!r}")
    return value.lower()


def write_conf(home: Path, *, bolt_port: int, heap: str, pagecache: str) -> Path:
    """Write ``HOME/conf/neo4j.conf``: Bolt on 127.0.0.1 only, HTTP(S) off, sized memory."""
    home = home.resolve()
    for sub in ("conf", "data", "logs", "run", "plugins", "import"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    heap = _check_size("heap", heap)
    pagecache = _check_size("pagecache", pagecache)
    lines = [
        "# Written by stakeholder-graph; rewritten on every start.",
        "server.default_listen_address=127.0.0.1",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address=127.0.0.1:{bolt_port}",
        "server.http.enabled=false",
        "server.https.enabled=false",
        f"server.directories.data={home / 'data'}",
        f"server.directories.logs={home / 'logs'}",
        f"server.directories.run={home / 'run'}",
        f"server.directories.plugins={home / 'plugins'}",
        f"server.directories.import={home / 'import'}",
        "dbms.security.allow_csv_import_from_file_urls=true",
        f"server.memory.heap.initial_size={heap}",
        f"server.memory.heap.max_size={heap}",
        f"server.memory.pagecache.size={pagecache}",
        "dbms.usage_report.enabled=false",
    ]
    conf = home / "conf" / "neo4j.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


def _conf_port(home: Path) -> int | None:
    conf = home / "conf" / "neo4j.conf"
    if not conf.exists():
        return None
    match = re.search(r"^server\.bolt\.listen_address=.*:(\d+)\s*$",
                      conf.read_text(encoding="utf-8"), re.MULTILINE)
    return int(match.group(1)) if match else None


def java_command(home: Path, lib: Path, *, heap: str) -> list[str]:
    """The exact command line that starts the server of ``home``."""
    home = home.resolve()
    return [
        _require("java"),
        "-cp",
        f"{lib}/*",
        *JVM_OPTIONS,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        ENTRY_POINT,
        f"--home-dir={home}",
        f"--config-dir={home / 'conf'}",
        "--console-mode",
    ]


def _neo4j_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    return env


def _set_initial_password(home: Path, lib: Path, password: str) -> bool:
    """Set the password with AdminTool; only works before the first start (returns success)."""
    cmd = [_require("java"), "-cp", f"{lib}/*", ADMIN_TOOL, "dbms", "set-initial-password",
           password]
    done = subprocess.run(cmd, env=_neo4j_env(home), cwd=home, capture_output=True, text=True,
                          timeout=300, check=False)
    return done.returncode == 0


# --------------------------------------------------------------------------- processes


def _pid_file(home: Path) -> Path:
    return home / "run" / "neo4j.pid"


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # Field 3 (after the parenthesised name) is the state; Z is a zombie, i.e. gone.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_our_server(pid: int, home: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    args = [a.decode(errors="replace") for a in cmdline]
    return ENTRY_POINT in args and f"--home-dir={home.resolve()}" in args


def _read_pid(home: Path) -> int | None:
    try:
        return int(_pid_file(home).read_text().strip())
    except (OSError, ValueError):
        return None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def log_tail(home: Path, lines: int = 25) -> str:
    """The last lines of the server's console log (what it printed before failing)."""
    for name in ("console.log", "neo4j.log"):
        path = home / "logs" / name
        if path.exists():
            return _tail_text(path.read_text(encoding="utf-8", errors="replace"), lines)
    return "(no log written)"


def _bolt_answers(uri: str, user: str, password: str) -> str | None:
    """None when a query ran; otherwise why not (``"auth"`` for an authentication failure)."""
    import neo4j  # graph layer: the driver is only needed once a server runs
    from neo4j.exceptions import AuthError, Neo4jError

    try:
        with neo4j.GraphDatabase.driver(uri, auth=(user, password),
                                        connection_timeout=2.0) as driver:
            # An auto-commit query: execute_query would retry for 30 s on a refused connection.
            with driver.session() as session:
                session.run("RETURN 1").consume()
    except AuthError:
        return "auth"
    except (Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
        return type(exc).__name__
    return None


def _change_expired_password(uri: str, password: str) -> None:
    """Bolt fallback when AdminTool was too late: neo4j/neo4j must change its password."""
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "neo4j")) as driver:
        driver.execute_query(
            "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
            old="neo4j",
            new=password,
            database_="system",
        )


def status(home: Path) -> ServerInfo | None:
    """The running server of ``home``, or None (a stale pid file is removed)."""
    home = Path(home).resolve()
    pid = _read_pid(home)
    if pid is None:
        return None
    if not (_alive(pid) and _is_our_server(pid, home)):
        with contextlib.suppress(OSError):
            _pid_file(home).unlink()
        return None
    port = _conf_port(home) or DEFAULT_BOLT_PORT
    return ServerInfo(home=home, uri=f"bolt://127.0.0.1:{port}", pid=pid, bolt_port=port)


def start(
    home: Path,
    *,
    bolt_port: int = DEFAULT_BOLT_PORT,
    password: str,
    heap: str = DEFAULT_HEAP,
    pagecache: str = DEFAULT_PAGECACHE,
    version: str = NEO4J_VERSION,
    timeout: float = START_TIMEOUT_S,
    progress: StepReporter | None = None,
) -> ServerInfo:
    """Start the Neo4j server of ``home`` (created if new) and wait until Bolt answers.

    Parameters
    ----------
    home : Path
        The server's folder (conf, data, logs, run...). The jars stay in the shared cache.
    bolt_port : int, default 7687
        Bolt listens on 127.0.0.1 only, on this port.
    password : str
        The password of user ``neo4j``, at least 8 characters. It is set before the first
        start; a home that already ran keeps the password it had.
    heap, pagecache : str, default "1g", "512m"
        JVM heap and page cache (small defaults for tests; the CLI asks for 4g / 2g).
    timeout : float, default 180
        Seconds to wait for Bolt; on expiry the server is stopped and the log tail quoted.

    Returns
    -------
    ServerInfo
        With ``already_running=True`` (and nothing done) when the home's server runs already.
    """
    began = time.perf_counter()
    home = Path(home).expanduser().resolve()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StoreError(f"the Neo4j password must have at least {MIN_PASSWORD_LENGTH} characters")
    if not 0 < bolt_port < 65536:
        raise StoreError(f"bolt port must be between 1 and 65535, got {bolt_port}")
    running = status(home)
    if running is not None:
        return ServerInfo(home=home, uri=running.uri, pid=running.pid,
                          bolt_port=running.bolt_port, version=version, already_running=True,
                          seconds=time.perf_counter() - began)
    _require("java")
    lib = fetch(version, progress=progress)
    fetched = time.perf_counter() - began
    if not _port_free(bolt_port):
        raise StoreError(f"port {bolt_port} on 127.0.0.1 is already in use; "
                         "choose another with --bolt-port")
    write_conf(home, bolt_port=bolt_port, heap=heap, pagecache=pagecache)
    first_start = not (home / "data" / "databases").exists()
    password_set = first_start and _set_initial_password(home, lib, password)

    if progress is not None:
        progress(f"starting Neo4j {version} in {home}")
    log = (home / "logs" / "console.log").open("ab")
    try:
        proc = subprocess.Popen(
            java_command(home, lib, heap=heap),
            cwd=home,
            env=_neo4j_env(home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # detached: survives the CLI, ignores its Ctrl-C
        )
    finally:
        log.close()
    _CHILDREN[proc.pid] = proc
    _pid_file(home).write_text(f"{proc.pid}\n", encoding="utf-8")
    uri = f"bolt://127.0.0.1:{bolt_port}"

    if progress is not None:
        progress(f"waiting for Bolt on {uri}")
    deadline = time.monotonic() + timeout
    why: str | None = "not started"
    auth_failures = 0
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            _CHILDREN.pop(proc.pid, None)
            with contextlib.suppress(OSError):
                _pid_file(home).unlink()
            hint = " (exit 3: heap plus page cache exceed memory?)" if code == 3 else ""
            raise StoreError(f"Neo4j exited with code {code} while starting{hint}; "
                             f"last lines of {home / 'logs'}:\n{log_tail(home)}")
        why = _bolt_answers(uri, "neo4j", password)
        if why is None:
            break
        if why == "auth" and not password_set and first_start:
            # AdminTool did not take: the server runs with neo4j/neo4j, expired.
            with contextlib.suppress(Exception):
                _change_expired_password(uri, password)
                password_set = True
                continue
        auth_failures += 1 if why == "auth" else 0
        if auth_failures >= 5:  # not a start-up blip: the password is wrong
            stop(home)
            raise StoreError(
                f"the Neo4j server in {home} does not accept the given password for user "
                "neo4j (a home keeps the password of its first start; use that one, or a new "
                "--home)"
            )
        time.sleep(0.5)
    else:
        stop(home)
        raise StoreError(f"Neo4j did not answer on {uri} within {timeout:.0f} s ({why}); "
                         f"last lines of {home / 'logs'}:\n{log_tail(home)}")
    # Neo4j writes the same pid file itself; rewrite it in case a version does not.
    _pid_file(home).write_text(f"{proc.pid}\n", encoding="utf-8")
    return ServerInfo(home=home, uri=uri, pid=proc.pid, bolt_port=bolt_port, version=version,
                      seconds=time.perf_counter() - began, fetch_seconds=fetched)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return not _alive(pid)


def stop(home: Path, *, timeout: float = STOP_TIMEOUT_S) -> bool:
    """Stop the server of ``home``: SIGTERM, wait ``timeout`` s, then SIGKILL.

    Returns True when a server was running and is now stopped, False when none ran.
    """
    home = Path(home).expanduser().resolve()
    running = status(home)
    if running is None:
        return False
    pid = running.pid
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 10.0)
    _forget(home, pid)
    return True


def kill(home: Path) -> bool:
    """SIGKILL the server of ``home`` at once (crash tests); True when one was running."""
    home = Path(home).expanduser().resolve()
    running = status(home)
    if running is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(running.pid, signal.SIGKILL)
    _wait_gone(running.pid, 10.0)
    _forget(home, running.pid)
    return True


def _forget(home: Path, pid: int) -> None:
    """Reap our own child (no zombie) and remove the pid file once the JVM is gone."""
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    with contextlib.suppress(OSError):
        _pid_file(home).unlink()
