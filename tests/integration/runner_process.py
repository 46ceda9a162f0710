"""Start and stop a real `clara-runner serve` process and talk HTTP to it.

Shared by every integration suite (SQLite, PostgreSQL, several instances, restarts). Only the
Python standard library is used.

Environment:
    CLARA_BINARY              path of the built clara-runner (required)
    CLARA_TEST_BACKEND        "sqlite" (default) or "postgres"
    CLARA_TEST_DATABASE_URL   database URL for the postgres backend
    CLARA_SHARED_DIR          folder with shared fixtures (optional)
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 30.0

_PASSED_VARIABLES = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "LD_LIBRARY_PATH"}
_SANITIZER_PREFIXES = ("ASAN_", "UBSAN_", "TSAN_", "LSAN_", "MSAN_")

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = REPO_ROOT / "tests" / "fixtures" / "workflows"


def binary_path():
    """Path of the binary under test; skips the calling test when CLARA_BINARY is not set."""
    binary = os.environ.get("CLARA_BINARY")
    if not binary:
        raise unittest.SkipTest("CLARA_BINARY is not set (run the suite through CTest)")
    if not os.access(binary, os.X_OK):
        raise AssertionError(f"CLARA_BINARY={binary} is not an executable file")
    return binary


def backend():
    """The storage backend under test: "sqlite" or "postgres"."""
    return os.environ.get("CLARA_TEST_BACKEND", "sqlite")


def shared_dir():
    """The shared folder beside the checkout, or None when it is absent."""
    folder = os.environ.get("CLARA_SHARED_DIR")
    return Path(folder) if folder and Path(folder).is_dir() else None


def free_port():
    """A TCP port that was free a moment ago (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique_token():
    """Six hex characters that keep names and slugs unique in a database shared across runs."""
    return secrets.token_hex(3)


def load_fixture(name):
    """A workflow document from tests/fixtures/workflows (name without .json)."""
    with open(FIXTURES_DIR / f"{name}.json", encoding="utf-8") as handle:
        return json.load(handle)


def wait_for_next_millisecond():
    """Returns once the wall clock has moved to a later millisecond, so that the server stamps
    the next request later than everything it stamped before (no fixed sleep)."""
    start = time.time_ns() // 1_000_000
    while time.time_ns() // 1_000_000 <= start:
        time.sleep(0.0002)


class HttpResult:
    """One HTTP answer: status, headers (lower-case names) and body (parsed JSON when the body is
    JSON, else text). Unpacks as (status, headers, body)."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        text = raw.decode("utf-8", errors="replace")
        self.text = text
        try:
            self.body = json.loads(text) if text else None
        except ValueError:
            self.body = text

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        return f"HTTP {self.status} {self.text[:2000]}"


def _read_response(response):
    raw = response.read()
    headers = {name.lower(): value for name, value in response.getheaders()}
    return HttpResult(response.status, headers, raw)


class RunnerProcess:
    """A `clara-runner serve` child process on a free port, with its own working directory (so no
    stray .env is read) and, for SQLite, its own database file unless one is given."""

    def __init__(self, database_url=None, env=None, base_url=None, workdir=None):
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="clara-it-"))
        self._owns_workdir = workdir is None
        try:
            self.database_url = database_url or default_database_url(self.workdir)
        except BaseException:
            if self._owns_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.extra_env = dict(env or {})
        self.requested_base_url = base_url
        self.port = None
        self.base_url = None
        self.process = None
        self.log_path = None
        self._log_file = None
        self._starts = 0
        self._ready = False  # set once /health answered; start-up polling expects refusals

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout=READY_TIMEOUT_S):
        """Starts the server and waits until GET /health answers 200."""
        binary = binary_path()
        self.port = free_port()
        self.base_url = self.requested_base_url or f"http://127.0.0.1:{self.port}"
        # A clean environment: only what a process needs to run, never the caller's server
        # settings (an inherited ADMIN_API_KEY or DATABASE_URL would change the behaviour).
        env = {key: value for key, value in os.environ.items()
               if key in _PASSED_VARIABLES or key.startswith(_SANITIZER_PREFIXES)}
        env.update({
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "BASE_URL": self.base_url,
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "info",
            # Functional suites make many calls from one address; limits have their own suite.
            "RATE_LIMIT_ENABLED": "false",
        })
        env.update(self.extra_env)
        self._starts += 1
        self.log_path = self.workdir / f"server-{self._starts}.log"
        self._log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen([binary, "serve"], cwd=self.workdir, env=env,
                                        stdout=self._log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"clara-runner exited with {self.process.returncode} during "
                                     f"start-up:\n{self.log_tail()}")
            try:
                result = self.request("GET", "/health", timeout=2)
                if result.status == 200:
                    self._ready = True
                    return self
                last_error = f"/health answered {result.status}"
            except OSError as error:
                last_error = repr(error)
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"clara-runner not ready within {timeout}s ({last_error}):\n"
                             f"{self.log_tail()}")

    def stop(self, timeout=STOP_TIMEOUT_S):
        """Sends SIGTERM and returns the exit code (None if it had to be killed)."""
        if self.process is None:
            return None
        self._ready = False
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        code = self.process.returncode
        self._close_log()
        return code

    def kill(self):
        self._ready = False
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close_log()

    def cleanup(self):
        """Kills the process if still running and removes the working directory."""
        self.kill()
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _close_log(self):
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log_text(self):
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    # -- HTTP --------------------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=HTTP_TIMEOUT_S):
        """Sends one request. `body`: bytes/str sent verbatim, anything else JSON-encoded."""
        headers = dict(headers or {})
        payload = None
        if body is not None:
            if isinstance(body, bytes):
                payload = body
            elif isinstance(body, str):
                payload = body.encode("utf-8")
            else:
                payload = json.dumps(body).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=payload, headers=headers)
            return _read_response(connection.getresponse())
        except OSError:
            self._raise_if_dead(f"{method} {path}")
            raise
        finally:
            connection.close()

    def _raise_if_dead(self, what):
        """Turns a refused or dropped connection into a clear report when the server is gone."""
        if self.process is None or not self._ready:
            return
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return
        raise AssertionError(f"clara-runner is not running (exit code {self.process.returncode}) "
                             f"after {what}:\n{self.log_tail()}")

    def json_request(self, method, path, body=None, key=None, headers=None):
        """(status, headers, parsed body); `key` is sent as 'Authorization: Bearer <key>'."""
        headers = dict(headers or {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return self.request(method, path, body=body, headers=headers)

    def raw_exchange(self, data, timeout=HTTP_TIMEOUT_S):
        """Writes `data` (a complete HTTP/1.1 request, possibly chunked) on a fresh connection and
        reads one response. A server that answers early and stops reading may reset the rest of
        the upload; the answer is read all the same."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            response = http.client.HTTPResponse(sock, method="POST")
            try:
                response.begin()
            except OSError:
                self._raise_if_dead("a raw request")
                raise
            return _read_response(response)
        finally:
            sock.close()

    # -- API helpers -------------------------------------------------------------------------

    def deploy(self, name, workflow, **fields):
        """POST /api/deploy; returns the HttpResult."""
        body = {"name": name, "workflow": workflow}
        body.update(fields)
        return self.request("POST", "/api/deploy", body=body)

    def execute(self, slug, inputs, key):
        return self.json_request("POST", f"/api/workflows/{slug}/execute", body=inputs, key=key)

    def executions(self, slug, key, query=""):
        suffix = f"?{query}" if query else ""
        return self.json_request("GET", f"/api/workflows/{slug}/executions{suffix}", key=key)


def default_database_url(workdir):
    """A fresh SQLite file in `workdir`, or the configured PostgreSQL database."""
    if backend() == "postgres":
        url = os.environ.get("CLARA_TEST_DATABASE_URL")
        if not url:
            raise unittest.SkipTest("CLARA_TEST_DATABASE_URL is not set for the postgres backend")
        return url
    return f"sqlite:{Path(workdir) / 'clara.db'}"


class ServerTestCase(unittest.TestCase):
    """One running server per test class, stopped (and checked to exit 0) after the class."""

    server_env = {}
    server_base_url = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = RunnerProcess(env=cls.server_env, base_url=cls.server_base_url)
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.server.stop()
            log = cls.server.log_tail()
        finally:
            cls.server.cleanup()
        super().tearDownClass()
        if code != 0:
            raise AssertionError(f"clara-runner exit code after SIGTERM: {code}\n{log}")

    # -- helpers for tests ---------------------------------------------------------------------

    def deploy_ok(self, name, workflow, **fields):
        """Deploys and asserts 201; returns the `deployment` object."""
        result = self.server.deploy(name, workflow, **fields)
        self.assertEqual(result.status, 201, result)
        return result.body["deployment"]

    def execute_ok(self, deployment, inputs):
        """Executes and asserts 200 + success; returns the response body."""
        result = self.server.execute(deployment["slug"], inputs, deployment["apiKey"])
        self.assertEqual(result.status, 200, result)
        self.assertIs(result.body["success"], True, result)
        return result.body

    def assertErrorEnvelope(self, result, status, error):
        """Checks status and the common error envelope {success:false, error, timestamp}."""
        self.assertEqual(result.status, status, result)
        self.assertIsInstance(result.body, dict, result)
        self.assertIs(result.body.get("success"), False, result)
        self.assertEqual(result.body.get("error"), error, result)
        self.assertRegex(result.body.get("timestamp", ""), ISO_TIMESTAMP, result)
        self.assertTrue(result.headers.get("content-type", "").startswith("application/json"),
                        result.headers)


UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
API_KEY_PATTERN = r"^clara_sk_[0-9a-f]{64}$"
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
DURATION_PATTERN = r"^\d+ms$"


class TwoInstanceTestCase(unittest.TestCase):
    """Two running servers on one PostgreSQL database per test class (`first`, `second`, both
    with `instance_env`), stopped and checked to exit 0 after the class. Skipped on SQLite,
    where a database belongs to one process."""

    instance_env = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if backend() != "postgres":
            raise unittest.SkipTest("several instances share a database only with PostgreSQL")
        cls.first = RunnerProcess(env=cls.instance_env)
        cls.second = RunnerProcess(database_url=cls.first.database_url, env=cls.instance_env)
        try:
            cls.first.start()
            cls.second.start()
        except BaseException:
            cls.first.cleanup()
            cls.second.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        codes = []
        for server in (cls.first, cls.second):
            try:
                codes.append((server.stop(), server.log_tail()))
            finally:
                server.cleanup()
        super().tearDownClass()
        for code, log in codes:
            if code != 0:
                raise AssertionError(f"clara-runner exit code after SIGTERM: {code}\n{log}")
