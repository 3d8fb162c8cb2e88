"""Run a program as a simulated instance (``botohook run``, :meth:`Server.run`): in a Linux network namespace of
its own where ``169.254.169.254:80`` is that instance's metadata view, ``eth0`` (``eth1``, ... by device index)
carries the instance's MACs and primary addresses, the served EC2 endpoint answers at its usual URL, and nothing
else is reachable.

Invariants: the namespace holds only the program and the relays' listening sockets; the namespace's name is
removed as soon as the program has entered it, so the kernel frees the namespace (and its interfaces) when the
program and its children end, whatever ends them (a kill of this process included); the relays, threads of this
process, forward each connection to the server or the view on this host's loopback. Needs root (``ip netns``);
where that is impossible, :class:`NamespaceUnavailableError` says why and what to use instead.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from contextlib import ExitStack, suppress
from itertools import count
from typing import TYPE_CHECKING, Any, Dict, List, Sequence, Set, Tuple
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .server import Server

_CLONE_NEWNET = 0x40000000
_IMDS = ("169.254.169.254", 80)
_names = count()
_running: Set[subprocess.Popen[Any]] = set()  # the programs running in namespaces now, for kill_all()
FALLBACK = (
    "run the program without --instance (the served environment only) with http_proxy={view} and NO_PROXY and "
    "no_proxy set to 127.0.0.1 (not 169.254.169.254): curl, requests and urllib then reach the instance's metadata "
    "view at http://169.254.169.254 through it as a proxy (README: Without namespaces)"
)


class NamespaceUnavailableError(RuntimeError):
    """Network namespaces cannot be made here (not root, no ``ip``, a kernel or container that refuses them)."""


def unavailable() -> str | None:
    """Why :func:`run` with an instance cannot work on this machine, or None when it can (tests skip with it)."""
    if not hasattr(os, "geteuid") or not os.path.exists("/proc/self/ns/net"):
        return "network namespaces are Linux-only"
    if os.geteuid() != 0:
        return "creating network namespaces needs root (ip netns)"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is missing"
    return None


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
        return subprocess.run(list(argv), input=input, timeout=timeout, check=check, env=environ, **popen)
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
    _remove_stale()
    with ExitStack() as stack:
        name = f"botohook-{os.getpid()}-{next(_names)}"
        _ip("netns", "add", name)
        stack.callback(_remove, name)
        with server.simulator.paused():
            interfaces = [(i, eni.mac, eni.primary_address, eni.subnet.cidr) for i, eni in instance.interfaces.items()]
        _configure(name, sorted(interfaces))
        relays = _Relays(name, routes)
        stack.callback(relays.close)
        if input is not None:
            popen["stdin"] = subprocess.PIPE
        popen.setdefault("start_new_session", True)  # a group of its own: a kill reaches the program's children
        process = subprocess.Popen(["ip", "netns", "exec", name, *argv], env=environ, **popen)
        _running.add(process)
        stack.callback(_running.discard, process)
        with process:
            try:
                _await_entry(process, name)
                _remove(name)  # from now on the kernel frees the namespace when the program's processes end
                stdout, stderr = process.communicate(input, timeout=timeout)
            except BaseException:  # a timeout, Ctrl-C, ...: the program ends with us
                _kill(process)
                raise
        completed = subprocess.CompletedProcess(list(argv), process.returncode, stdout, stderr)
    if check:
        completed.check_returncode()
    return completed


def kill_all() -> None:
    """Kill every program :func:`run` is running (from any thread): each ``run`` then returns, cleaning up."""
    for process in list(_running):
        _kill(process)


def _kill(process: subprocess.Popen[Any]) -> None:
    """Kill the program and, when it leads a session of its own, every process of its group."""
    with suppress(OSError):
        if os.getsid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        message = done.stderr.strip() or f"exit status {done.returncode}"
        command = " ".join(args)
        raise NamespaceUnavailableError(
            f"botohook run --instance: `ip {command}` failed: {message}; instead, "
            + FALLBACK.format(view="<the instance's view URL: server.metadata(instance_id)>")
        )


def _remove(name: str) -> None:
    if os.path.exists(f"/run/netns/{name}") or os.path.exists(f"/var/run/netns/{name}"):
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def _remove_stale() -> None:
    """Remove the names of namespaces whose botohook process died before its program entered them."""
    for directory in ("/run/netns", "/var/run/netns"):
        with suppress(OSError):
            for name in os.listdir(directory):
                parts = name.split("-")
                ours = len(parts) == 3 and parts[0] == "botohook" and parts[1].isdecimal()
                if ours and not os.path.exists(f"/proc/{parts[1]}"):
                    _remove(name)


def _configure(name: str, interfaces: List[Tuple[int, str, str, str]]) -> None:
    """Loopback up with the metadata address on it; per attached interface, ``eth<device index>`` (a veth whose
    peer stays inside the namespace) with its MAC and primary address, up. [decided] secondary addresses are not
    configured, as on an instance where no agent has added them; there is no default route."""
    _ip("-n", name, "link", "set", "lo", "up")
    _ip("-n", name, "addr", "add", f"{_IMDS[0]}/32", "dev", "lo")
    for index, mac, address, cidr in interfaces:
        device = f"eth{index}"
        _ip("-n", name, "link", "add", device, "type", "veth", "peer", "name", f"{device}-peer")
        _ip("-n", name, "link", "set", device, "address", mac)
        _ip("-n", name, "addr", "add", f"{address}/{cidr.split('/')[1]}", "dev", device)
        _ip("-n", name, "link", "set", f"{device}-peer", "up")
        _ip("-n", name, "link", "set", device, "up")


def _await_entry(process: subprocess.Popen[Any], name: str) -> None:
    """Wait until the program runs inside the namespace (``ip netns exec`` has switched), or has ended."""
    target = os.stat(f"/run/netns/{name}" if os.path.exists(f"/run/netns/{name}") else f"/var/run/netns/{name}")
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        with suppress(OSError):
            if os.stat(f"/proc/{process.pid}/ns/net").st_ino == target.st_ino:
                return
        time.sleep(0.002)


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


class _Relays:
    """Listening sockets inside the namespace, each forwarding its connections to an address of this host."""

    def __init__(self, name: str, routes: Dict[Tuple[str, int], Tuple[str, int]]) -> None:
        self._connections: Set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        listeners: List[Tuple[socket.socket, Tuple[str, int]]] = []
        failure: List[BaseException] = []

        def listen() -> None:  # a thread of its own: setns changes only the calling thread's namespace
            home = os.open(f"/proc/self/task/{threading.get_native_id()}/ns/net", os.O_RDONLY)
            inside = os.open(f"/run/netns/{name}", os.O_RDONLY)
            try:
                _setns(inside)
                try:
                    for address, target in routes.items():
                        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
                        listener = socket.socket(family, socket.SOCK_STREAM)
                        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                        listener.bind(address)
                        listener.listen(64)
                        listeners.append((listener, target))
                finally:
                    _setns(home)
            except BaseException as error:  # reported to the caller below
                failure.append(error)
            finally:
                os.close(home)
                os.close(inside)

        thread = threading.Thread(target=listen, name="botohook-netns")
        thread.start()
        thread.join()
        self._listeners = [listener for listener, _ in listeners]
        if failure:
            self.close()
            raise NamespaceUnavailableError(f"botohook run --instance: cannot listen in the namespace: {failure[0]}")
        for listener, target in listeners:
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
