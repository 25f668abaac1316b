"""Start, stop and query a single-node KRaft Kafka broker on 127.0.0.1.

The jars come from Maven Central through ``pom.xml`` beside this file (cached once per
version); the broker's data, config and logs live under one state folder.
"""

from __future__ import annotations

import base64
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

POM = Path(__file__).with_name("pom.xml")
KAFKA_VERSION = re.search(r"<kafka.version>([^<]+)<", POM.read_text())[1]  # type: ignore[index]
LOG4J2 = """Configuration:
  Appenders:
    RollingFile:
      name: FILE
      fileName: "{logs}/broker.log"
      filePattern: "{logs}/broker.log.%i"
      PatternLayout: {{pattern: "[%d] %p %m (%c)%n"}}
      SizeBasedTriggeringPolicy: {{size: 20MB}}
      DefaultRolloverStrategy: {{max: 3}}
  Loggers:
    Root: {{level: INFO, AppenderRef: [{{ref: FILE}}]}}
    Logger:
      - {{name: kafka.request.logger, level: WARN}}
      - {{name: org.apache.kafka.controller, level: WARN}}
"""


class LocalKafkaError(RuntimeError):
    """The local broker could not be assembled, started or stopped; the message says why."""


@dataclass(frozen=True)
class LocalKafka:
    home: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "768m"
    # Optional SASL_PLAINTEXT listener (for testing Kafka security settings): users who
    # may log in with PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, as (name, password) pairs.
    sasl_port: int | None = None
    sasl_users: tuple[tuple[str, str], ...] = ()

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "broker.log"

    # --- lifecycle -------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> float:
        """Start the broker unless it runs; return seconds until it answered metadata."""
        began = time.monotonic()
        if self.running_pid() is not None:
            self.wait_ready(timeout)
            return time.monotonic() - began
        for port in (self.port, self.controller_port, self.sasl_port):
            if port is not None and _port_in_use(port):
                raise LocalKafkaError(
                    f"port {port} on 127.0.0.1 is already in use by another program; stop it, "
                    "or choose other ports with --port/--controller-port"
                )
        java = _require(
            "java", "install Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless)"
        )
        lib = assemble_jars()
        self._prepare(lib, java)
        logs = self.home / "logs"
        with open(logs / "broker.out", "ab") as out:
            process = subprocess.Popen(
                [
                    java,
                    f"-Xmx{self.heap}",
                    f"-Xms{self.heap}",
                    "-XX:+UseG1GC",
                    "-Djava.awt.headless=true",
                    f"-Dkafka.logs.dir={logs}",
                    f"-Dlog4j2.configurationFile={self.home / 'log4j2.yaml'}",
                    "-cp",
                    f"{lib}/*",
                    "kafka.Kafka",
                    str(self.home / "server.properties"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.home,
            )
        self.pid_file.write_text(str(process.pid))
        self.wait_ready(timeout, process)
        return time.monotonic() - began

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the broker (SIGTERM, then SIGKILL); return False if it was not running."""
        pid = self.running_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (for fault tests)."""
        pid = self.running_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.05)
            self.pid_file.unlink(missing_ok=True)

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def wait_ready(self, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
        """Block until the broker answers a metadata request with itself as a live broker."""
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        from kafka import errors  # imported late: slow, and only needed while waiting

        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise LocalKafkaError(
                    f"Kafka exited with code {process.returncode} while starting; see "
                    f"{self.log_file} and {self.home / 'logs' / 'broker.out'}\n{self._log_tail()}"
                )
            try:
                if broker_answers(self.bootstrap):
                    return
            except errors.KafkaConfigurationError:
                raise
            except (OSError, errors.KafkaError) as error:  # the broker is not up yet
                last_error = f"{type(error).__name__}: {error}"

            time.sleep(0.25)
        raise LocalKafkaError(
            f"Kafka on {self.bootstrap} did not answer within {timeout:.0f} s "
            f"({last_error}); see {self.log_file}\n{self._log_tail()}"
        )

    # --- files ----------------------------------------------------------------------

    def _prepare(self, lib: Path, java: str) -> None:
        data = self.home / "data"
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        (self.home / "log4j2.yaml").write_text(LOG4J2.format(logs=self.home / "logs"))
        (self.home / "server.properties").write_text(self._server_properties(data))
        if not (data / "meta.properties").exists():
            cluster_id = new_cluster_id()
            result = subprocess.run(
                [
                    java,
                    "-cp",
                    f"{lib}/*",
                    f"-Dlog4j2.configurationFile={self.home / 'log4j2.yaml'}",
                    "kafka.tools.StorageTool",
                    "format",
                    f"--cluster-id={cluster_id}",
                    "-c",
                    str(self.home / "server.properties"),
                    *self._scram_users(),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise LocalKafkaError(
                    f"formatting Kafka storage in {data} failed:\n{result.stdout}{result.stderr}"
                )

    def _scram_users(self) -> list[str]:
        return [
            arg
            for name, password in self.sasl_users
            for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512")
            for arg in ("--add-scram", f"{mechanism}=[name={name},password={password}]")
        ]

    def _sasl_properties(self) -> list[str]:
        if self.sasl_port is None:
            return []
        plain_users = " ".join(f'user_{name}="{password}"' for name, password in self.sasl_users)
        prefix = "listener.name.sasl_plaintext"
        return [
            "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
            f"{prefix}.plain.sasl.jaas.config="
            f"org.apache.kafka.common.security.plain.PlainLoginModule required {plain_users};",
            *(
                f"{prefix}.{mechanism}.sasl.jaas.config="
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
                for mechanism in ("scram-sha-256", "scram-sha-512")
            ),
        ]

    def _server_properties(self, data: Path) -> str:
        sasl = f",SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}" if self.sasl_port is not None else ""
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}{sasl}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}{sasl}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map="
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                *self._sasl_properties(),
                f"log.dirs={data}",
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                "",
            ]
        )

    def _log_tail(self, lines: int = 15) -> str:
        for candidate in (self.log_file, self.home / "logs" / "broker.out"):
            if candidate.exists():
                text = candidate.read_text(errors="replace").splitlines()[-lines:]
                if text:
                    return "\n".join(["last lines of the broker log:", *text])
        return ""


def broker_answers(bootstrap: str) -> bool:
    """True when the broker returns metadata listing at least one unfenced broker."""
    from kafka import KafkaAdminClient  # imported late: slow, and only needed here

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=3000, client_id="earful-localkafka"
    )
    try:
        cluster = admin.describe_cluster()
        return any(not b.get("is_fenced") for b in cluster.get("brokers", []))
    finally:
        admin.close()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "earful" / f"kafka-{KAFKA_VERSION}"


def assemble_jars() -> Path:
    """Gather Kafka's jars from Maven Central once per version; return the folder."""
    lib = cache_dir() / "lib"
    stamp = cache_dir() / "complete"
    if stamp.exists():
        return lib
    mvn = _require("mvn", "install Maven 3 (e.g. apt-get install maven)")
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be assembling the same jars
        if stamp.exists():
            return lib
        shutil.rmtree(lib, ignore_errors=True)
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                f"-Dearful.lib.dir={lib}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not any(lib.glob("kafka_2.13-*.jar")):
            raise LocalKafkaError(
                f"Maven could not fetch Kafka {KAFKA_VERSION}'s jars (exit {result.returncode}). "
                "Check that Maven Central is reachable (or that ~/.m2/settings.xml names a "
                "mirror):\n" + (result.stdout + result.stderr)[-3000:]
            )
        stamp.write_text(KAFKA_VERSION)
    return lib


def new_cluster_id() -> str:
    """A random cluster id as Kafka writes them (22 URL-safe base64 characters), never
    starting with "-": Kafka's own generator skips those too, since a command line reads
    them as an option (``kafka-storage format -t -abc`` fails one time in 64)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as dead
        waited, _ = os.waitpid(pid, os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return True


def _require(tool: str, how: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise LocalKafkaError(f"'{tool}' was not found on PATH: {how}, then try again")
    return found
