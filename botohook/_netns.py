"""Run a program as a simulated instance (``botohook run``, :meth:`Server.run`): in Linux network and mount
namespaces of its own where ``169.254.169.254:80`` is that instance's metadata view, ``eth0`` (``eth1``, ... by device
index) carries the instance's MACs and primary addresses (``/sys/class/net`` shows them), the served EC2 endpoint
answers at its usual URL, and nothing else is reachable.

How: ``unshare`` starts a small standard-library helper in new namespaces (as root; otherwise in a user namespace
too, mapped to root, where the kernel allows it), which sets the interfaces up, listens on the metadata address and
the endpoint's, hands those listening sockets back over a socket pair and becomes the program. Threads of this process
relay each connection accepted there to the server or the view on this host's loopback. Invariants: the namespaces
have no name, so the kernel frees them (interfaces and all) when the program and its children end, whatever ends
them, a kill of this process included; the program leads a process group of its own, killed whole on a timeout or an
interrupt. Where namespaces cannot be made, :class:`NamespaceUnavailableError` says why and what to use instead.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Set, Tuple
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .server import Server

_IMDS = ("169.254.169.254", 80)
_running: Set[subprocess.Popen[Any]] = set()  # the programs running in namespaces now, for kill_all()
FALLBACK = (
    "run the program without --instance (the served environment only) with http_proxy={view} and NO_PROXY and "
    "no_proxy set to 127.0.0.1 (not 169.254.169.254): curl, requests and urllib then reach the instance's metadata "
    "view at http://169.254.169.254 through it as a proxy (README: Without namespaces)"
)
_HELPER = r"""
import json, os, socket, subprocess, sys
channel = socket.socket(fileno=int(sys.argv[1]))
config = json.loads(sys.argv[2])
try:
    def ip(*args):
        done = subprocess.run(["ip", *args], capture_output=True, text=True)
        if done.returncode:
            raise OSError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    ip("link", "set", "lo", "up")
    ip("addr", "add", "169.254.169.254/32", "dev", "lo")
    for index, mac, address in config["interfaces"]:
        ip("link", "add", f"eth{index}", "type", "veth", "peer", "name", f"eth{index}-peer")
        ip("link", "set", f"eth{index}", "address", mac)
        ip("addr", "add", address, "dev", f"eth{index}")
        ip("link", "set", f"eth{index}-peer", "up")
        ip("link", "set", f"eth{index}", "up")
    done = subprocess.run(["mount", "-t", "sysfs", "sysfs", "/sys"], capture_output=True, text=True)
    if done.returncode:
        raise OSError(f"mount sysfs: {done.stderr.strip()}")
    listeners = []
    for host, port in config["listen"]:
        listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(64)
        listeners.append(listener)
    socket.send_fds(channel, [b"ok"], [listener.fileno() for listener in listeners])
except Exception as error:
    channel.sendall(f"error: {error}".encode())
    sys.exit(125)
channel.close()
for listener in listeners:
    listener.close()
os.execvp(sys.argv[3], sys.argv[3:])
"""


class NamespaceUnavailableError(RuntimeError):
    """Network namespaces cannot be made here (not Linux, no ``unshare`` or ``ip``, a kernel or container that
    refuses them)."""


@functools.cache
def unavailable() -> str | None:
    """Why :func:`run` with an instance cannot work on this machine, or None when it can (tests skip with it)."""
    if not sys.platform.startswith("linux"):
        return "network namespaces are Linux-only"
    for tool, package in (("unshare", "util-linux"), ("ip", "iproute2"), ("mount", "util-linux")):
        if shutil.which(tool) is None:
            return f"the {tool} command ({package}) is missing"
    probe = subprocess.run([*_unshare(), "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        why = probe.stderr.strip().splitlines()[-1:] or [f"exit status {probe.returncode}"]
        whom = "" if _root() else " (not root: this kernel allows no unprivileged user namespace)"
        return f"cannot create namespaces{whom}: {why[0]}"
    return None


def _root() -> bool:
    return os.geteuid() == 0


def _unshare() -> List[str]:
    """New network and mount namespaces; not as root, in a user namespace of its own too, mapped to root."""
    user = [] if _root() else ["--user", "--map-root-user"]
    return ["unshare", *user, "--net", "--mount", "--propagation", "private", "--"]


def run(
    server: Server,
    instance_id: str | None,
    argv: Sequence[str],
    *,
    input: bytes | str | None = None,
    timeout: float | None = None,
    check: bool = False,
    capture_output: bool = False,
    **popen: Any,
) -> subprocess.CompletedProcess[Any]:
    """Run ``argv`` to its end as a program on ``instance_id`` (None: on this host with the served environment
    only) and return as :func:`subprocess.run` does; ``popen`` goes to :class:`subprocess.Popen` (an ``env`` given
    is the base the served variables are added to)."""
    environ = dict(popen.pop("env", None) or os.environ)
    if capture_output:
        popen["stdout"] = popen["stderr"] = subprocess.PIPE
    if instance_id is None:
        environ.update(server.environ)
        return _supervised(list(argv), environ, input, timeout, check, popen)
    instance = server.simulator.instance(instance_id)  # KeyError for an unknown id
    region, _ = server.simulator.locate(instance.id)
    reason = unavailable()
    if reason is not None:
        fallback = FALLBACK.format(view=server.metadata(instance_id))
        raise NamespaceUnavailableError(f"botohook run --instance: {reason}; instead, {fallback}")
    environ.update(server.environ)
    environ["AWS_DEFAULT_REGION"] = environ["AWS_REGION"] = region.name  # [decided] as `aws configure` would
    environ.pop("AWS_EC2_METADATA_DISABLED")  # the metadata is there to read
    view = urlsplit(server.metadata(instance_id))
    endpoint = urlsplit(server.endpoint_url)
    served = (endpoint.hostname or "127.0.0.1", endpoint.port or 80)
    routes = {served: served, _IMDS: (view.hostname or "127.0.0.1", view.port or 80)}
    with server.simulator.paused():
        interfaces = sorted(
            (index, eni.mac, f"{eni.primary_address}/{eni.subnet.cidr.split('/')[1]}")
            for index, eni in instance.interfaces.items()
        )
    config = json.dumps({"interfaces": interfaces, "listen": list(routes)})
    ours, theirs = socket.socketpair()
    popen["pass_fds"] = (*popen.get("pass_fds", ()), theirs.fileno())
    if input is not None:
        popen["stdin"] = subprocess.PIPE
    popen.setdefault("start_new_session", True)  # a group of its own: a kill reaches the program's children
    helper = [sys.executable, "-I", "-c", _HELPER, str(theirs.fileno()), config, *argv]
    with ExitStack() as stack:
        stack.enter_context(ours)
        with theirs:
            process = _started([*_unshare(), *helper], environ, popen)
        stack.callback(_running.discard, process)
        with process:
            try:
                listeners = _receive(ours, len(routes))
                relays = _Relays(list(zip(listeners, routes.values())))
                stack.callback(relays.close)
                stdout, stderr = process.communicate(input, timeout=timeout)
            except BaseException:  # a timeout, Ctrl-C, a failed set-up...: the program ends with us
                _kill(process)
                raise
        completed = subprocess.CompletedProcess(list(argv), process.returncode, stdout, stderr)
    if check:
        completed.check_returncode()
    return completed


def _supervised(
    argv: List[str],
    environ: Dict[str, str],
    input: bytes | str | None,
    timeout: float | None,
    check: bool,
    popen: Dict[str, Any],
) -> subprocess.CompletedProcess[Any]:
    """``argv`` run as :func:`subprocess.run` would, but in a session of its own and known to :func:`kill_all`, so
    that a timeout, Ctrl-C or SIGTERM ends its children too."""
    if input is not None:
        popen["stdin"] = subprocess.PIPE
    popen.setdefault("start_new_session", True)
    process = _started(argv, environ, popen)
    with process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except BaseException:
            _kill(process)
            process.wait()  # reaped here: Popen gives up waiting after a KeyboardInterrupt
            raise
        finally:
            _running.discard(process)
    completed = subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
    if check:
        completed.check_returncode()
    return completed


def _receive(channel: socket.socket, count: int) -> List[socket.socket]:
    """The helper's listening sockets, once it has set the namespace up; NamespaceUnavailableError if it could not."""
    message, fds, _, _ = socket.recv_fds(channel, 4096, count)
    if message != b"ok" or len(fds) != count:
        for fd in fds:
            os.close(fd)
        why = message.decode(errors="replace").removeprefix("error: ") or "the helper ended before it was ready"
        raise NamespaceUnavailableError(f"botohook run --instance: cannot set the namespace up: {why}")
    return [socket.socket(fileno=fd) for fd in fds]


def _started(argv: List[str], environ: Dict[str, str], popen: Dict[str, Any]) -> subprocess.Popen[Any]:
    """``argv`` started (in a session of its own, as ``popen`` says) and known to :func:`kill_all`."""
    process: subprocess.Popen[Any] = subprocess.Popen(argv, env=environ, **popen)
    _running.add(process)
    return process


def _unknown_children() -> List[int]:
    """This process's children leading sessions of their own that :func:`kill_all` does not know: programs a signal
    interrupted while :func:`_started` started them (Linux's ``/proc``; none elsewhere)."""
    known = {process.pid for process in _running}
    found = []
    with suppress(OSError):
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in known:
                with suppress(OSError, ValueError, IndexError):
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                    if int(fields[1]) == os.getpid() and int(fields[3]) == int(entry):  # our child, a session leader
                        found.append(int(entry))
    return found


def kill_all() -> None:
    """Kill every program :func:`run` is running (from any thread), and reap it: each ``run`` then returns,
    cleaning up."""
    running = list(_running)
    for process in running:
        _kill(process)
    for pid in _unknown_children():
        with suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    for process in running:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _kill(process: subprocess.Popen[Any]) -> None:
    """Kill the program and, when it leads a session of its own, every process of its group."""
    with suppress(OSError):
        if os.getsid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()


class _Relays:
    """The helper's listening sockets, each forwarding its connections to an address of this host."""

    def __init__(self, routes: List[Tuple[socket.socket, Tuple[str, int]]]) -> None:
        self._connections: Set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._listeners = [listener for listener, _ in routes]
        for listener, target in routes:
            threading.Thread(target=self._accept, args=(listener, target), daemon=True).start()

    def _accept(self, listener: socket.socket, target: Tuple[str, int]) -> None:
        while True:
            try:
                inner, _ = listener.accept()
            except OSError:
                return  # closed
            try:
                outer = socket.create_connection(target, timeout=10)
            except OSError:
                inner.close()
                continue
            outer.settimeout(None)
            with self._lock:
                if self._closed:
                    inner.close()
                    outer.close()
                    return
                self._connections.update((inner, outer))
            remaining = [2]  # pumps still running for this pair; the last one closes both sockets
            for source, sink in ((inner, outer), (outer, inner)):
                threading.Thread(target=self._pump, args=(source, sink, remaining), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, remaining: List[int]) -> None:
        """Copy ``source`` to ``sink`` until ``source`` ends, then end ``sink``'s sending side (a half-close goes
        through); the pair's last pump closes both."""
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
        with self._lock:
            remaining[0] -= 1
            if remaining[0]:
                return
            self._connections.difference_update((source, sink))
        source.close()
        sink.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sockets = self._listeners + list(self._connections)
            self._connections.clear()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
