"""A PostgreSQL cluster owned by one test, started with scripts/pg-test-cluster.sh, that the
test may stop and start again under a running server (`pg_ctl` as the cluster's owner)."""

import glob
import os
import subprocess
import tempfile

from runner_process import REPO_ROOT

CLUSTER_SCRIPT = REPO_ROOT / "scripts" / "pg-test-cluster.sh"


def _bin_dir():
    candidates = [path for path in glob.glob("/usr/lib/postgresql/*/bin")
                  if os.access(os.path.join(path, "pg_ctl"), os.X_OK)]
    if not candidates:
        return None
    return max(candidates, key=lambda path: int(path.split("/")[-2]))


class PrivateCluster:
    """start() creates and starts the cluster and returns its URL; pause()/resume() stop and
    start the server process on the same port and data; remove() deletes everything."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="clara-pg-private.")
        self.url = None

    def start(self):
        result = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start", self.dir],
                                capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            raise AssertionError(f"pg-test-cluster.sh start failed: {result.stderr}")
        self.url = result.stdout.strip().splitlines()[-1]
        return self.url

    def _pg_ctl(self, *arguments):
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise AssertionError("pg_ctl not found under /usr/lib/postgresql")
        command = [os.path.join(bin_dir, "pg_ctl"), "-D", os.path.join(self.dir, "data"),
                   *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}")

    def pause(self):
        """Stops the server (fast shutdown: open sessions are ended)."""
        self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")

    def resume(self):
        """Starts the server again with the same data and port."""
        self._pg_ctl("start", "-w", "-t", "60", "-l", os.path.join(self.dir, "server.log"))

    def remove(self):
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", self.dir], capture_output=True,
                       timeout=180)
