"""botohook over HTTP, side by side with the HTTP floor and moto's server mode, in one run with interleaved rounds.

    python benchmarks/server.py            # about ten minutes
    python benchmarks/server.py --quick    # a smoke test, not a measurement (under a minute)

Through a genuine client, per call: run.py's cycle (assign one automatic secondary address, unassign it) on an
interface in a /16 with 2,000 addresses in use, from a genuine boto3 client with ``endpoint_url`` over loopback, against
- the HTTP floor: a loopback server built as botohook's is (the same http.server classes and settings) that answers
  every request with one constant EC2 XML body: the least any server in Python can cost through a genuine client;
- botohook's server (``botohook.serve``), with the share of each call spent writing the XML answer;
- moto's server mode (``ThreadedMotoServer``, moto's ``server`` extra), when installed;
- botohook in-process (``botohook.install``), for reference.
Through fast clients (``wrk``, and ``ab`` from apache2-utils, Debian packages; each skipped with the reason when
absent), whose own cost does not hide the server's: requests per second and p99 latency for DescribeNetworkInterfaces
by id and for an AssignPrivateIpAddresses/UnassignPrivateIpAddresses cycle of one fixed address per connection (the
state stays flat), with 1 and 8 connections, against the HTTP floor, ``botohook.serve()``, the ``botohook serve``
command (a process of its own, its one log line per request going to a file) and moto's server. Requests are
form-encoded Query bodies with a SigV4-looking ``Authorization`` header (unsigned: neither server checks).
Then the start-up of ``botohook serve``: from process start until its first answer, beside a bare http.server
process, and the imports that dominate it (``python -X importtime``).
Then the AWS CLI v1 as a separate process (``aws ec2 describe-network-interfaces``) against botohook's server,
beside the CLI's own start-up (``aws --version``).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Tuple
from urllib.parse import urlsplit

import boto3
from run import BUSY_INTERFACES, busy_subnet, cycle, measure, session, table

import botohook
from botohook import _query_xml as query_xml
from botohook._http import Handler, QuietServer, running

CONSTANT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<AssignPrivateIpAddressesResponse xmlns="http://ec2.amazonaws.com/doc/'
    b'2016-11-15/"><requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><networkInterfaceId>eni-1'
    b"</networkInterfaceId><assignedPrivateIpAddressesSet><item><privateIpAddress>10.0.0.9</privateIpAddress></item>"
    b"</assignedPrivateIpAddressesSet></AssignPrivateIpAddressesResponse>"
)


class FloorHandler(Handler):
    """The floor: read the request as botohook's faces do (``Handler.body``), answer one constant body, on
    botohook's own server classes."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.body()
        self.reply(200, CONSTANT, "text/xml;charset=UTF-8")


def floor_server() -> Any:
    return running(QuietServer(("127.0.0.1", 0), FloorHandler))


def http_client(endpoint: str) -> Any:
    return session().client("ec2", endpoint_url=endpoint)


class SerializerClock:
    """Time spent in botohook's XML writer, accumulated across the server's threads."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.original = query_xml.response_xml

    def __call__(self, *args: Any) -> bytes:
        start = time.perf_counter()
        body = self.original(*args)
        self.seconds += time.perf_counter() - start
        return body


def per_call(args: argparse.Namespace) -> None:
    clock = SerializerClock()
    query_xml.response_xml = clock  # type: ignore[assignment]
    contenders: Dict[str, Callable[[], None]] = {}
    with floor_server() as floor_url, botohook.serve(botohook.Simulator(seed=1)) as served:
        floor = http_client(floor_url)
        contenders["HTTP floor (constant XML answer)"] = lambda: cycle(floor, "eni-1")
        ours = http_client(served.endpoint_url)
        _, eni = busy_subnet(ours)
        contenders["botohook.serve()"] = lambda: cycle(ours, eni)
        moto_server = start_moto()
        if moto_server is not None:
            theirs = http_client(f"http://127.0.0.1:{moto_server._server.server_port}")
            _, moto_eni = busy_subnet(theirs)
            contenders["moto ThreadedMotoServer"] = lambda: cycle(theirs, moto_eni)
        in_process_session = session()
        botohook.install(in_process_session, seed=1)
        in_process = in_process_session.client("ec2")
        _, in_process_eni = busy_subnet(in_process)
        contenders["botohook in-process (install), for reference"] = lambda: cycle(in_process, in_process_eni)
        try:
            clock.seconds = 0.0
            calls_before = len(served.simulator.calls) + served.simulator.dropped_calls
            result = measure(contenders, args.rounds, args.per_round)
            served_calls = len(served.simulator.calls) + served.simulator.dropped_calls - calls_before
        finally:
            query_xml.response_xml = clock.original  # type: ignore[assignment]
            if moto_server is not None:
                moto_server.stop()
    base = result["HTTP floor (constant XML answer)"]
    table(
        "Per call over loopback: assign(count=1) + unassign, interface in a /16 with 2,000 addresses in use",
        ["contender", "µs per call (median)", "x HTTP floor"],
        [[name, f"{us / 2:.1f}", f"{us / base:.2f}x"] for name, us in result.items()],
    )
    writer = clock.seconds / served_calls * 1e6
    print(
        f"\nbotohook's XML writer: {writer:.1f} µs per call, {writer / (result['botohook.serve()'] / 2):.1%} of a "
        "server call (timed inside the server's threads over every measured call)."
    )
    if "moto ThreadedMotoServer" in result:
        print(f"botohook's server is {result['moto ThreadedMotoServer'] / result['botohook.serve()']:.1f}x faster.")


def start_moto() -> Any:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:  # moto's server extra is optional
        return None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on the terminal
    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto_server.start()
    return moto_server


AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64
)  # the credential scope names the service and region; neither server checks the signature
FORM = "application/x-www-form-urlencoded; charset=utf-8"
HEADERS = {"Content-Type": FORM, "Authorization": AUTHORIZATION, "X-Amz-Date": "20260101T000000Z"}
CONNECTIONS = (1, 8)
FLOOR, OURS, COMMAND, MOTO = "HTTP floor", "botohook.serve()", "botohook serve (command)", "moto server"
WRK_SCRIPT = """-- generated by benchmarks/server.py: thread N (one connection each) cycles through plans[N]
wrk.method = "POST"
wrk.headers["Content-Type"] = "%(form)s"
wrk.headers["Authorization"] = "%(authorization)s"
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
local plans = %(plans)s
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("plan", threads)
end
local requests, index = {}, 0
function init(args)
  for i, body in ipairs(plans[plan]) do requests[i] = wrk.format(nil, nil, nil, body) end
  -- wrk calls request() once more on its first thread, to check it, before any connection: skip it
  if plan == 1 then index = #requests - 1 end
end
function request()
  index = index %% #requests + 1
  return requests[index]
end
function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%.1f %%.1f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Target:
    """A server under load: its base URL, the interface measured on and one free address per connection."""

    url: str
    eni: str
    addresses: List[str]


@dataclass
class Run:
    """One load run: requests per second, p99 latency (ms), failed requests (transport errors, non-2xx answers)."""

    rps: float
    p99_ms: float
    failed: int


def post(url: str, body: str) -> Tuple[int, bytes]:
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    try:
        connection.request("POST", "/", body.encode(), HEADERS)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bodies(target: Target, scenario: str) -> List[List[str]]:
    """Per connection, the request bodies it cycles through."""
    common = f"Version=2016-11-15&NetworkInterfaceId{'.1' if scenario == 'describe' else ''}={target.eni}"
    if scenario == "describe":
        return [[f"Action=DescribeNetworkInterfaces&{common}"] for _ in target.addresses]
    return [
        [
            f"Action={action}PrivateIpAddresses&{common}&PrivateIpAddress.1={address}"
            for action in ("Assign", "Unassign")
        ]
        for address in target.addresses
    ]


def prepare(url: str, busy: int) -> Target:
    """A busy /16 (as the boto3 section's) on the server at ``url``, an interface in it and free addresses there,
    found by assigning and unassigning them; each measured request is checked once to answer 200."""
    ec2 = http_client(url)
    _, eni = busy_subnet(ec2, busy=busy)
    found = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=max(CONNECTIONS))
    addresses = [item["PrivateIpAddress"] for item in found["AssignedPrivateIpAddresses"]]
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=addresses)
    target = Target(url, eni, addresses)
    for scenario in SCENARIOS:
        for body in bodies(target, scenario)[0]:
            status, answer = post(url, body)
            if status != 200:
                raise RuntimeError(f"{url} answered {status} to {body}: {answer[:300]!r}")
    return target


def tool_output(command: List[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    return done.stdout


def settle(target: Target) -> None:
    """Unassign the cycle's addresses: a run that stopped between an assign and its unassign leaves one assigned."""
    for plan in bodies(target, "cycle"):
        post(target.url, plan[1])  # 400 when the run ended after the unassign: nothing to undo


def wrk(target: Target, scenario: str, connections: int, seconds: float, workdir: str) -> Run:
    """One wrk run; one thread per connection, so that each connection's assign and unassign alternate in order."""
    plans = "{" + ", ".join("{" + ", ".join(f'"{b}"' for b in plan) + "}" for plan in bodies(target, scenario)) + "}"
    script = os.path.join(workdir, f"{scenario}.lua")
    with open(script, "w") as lua:
        lua.write(WRK_SCRIPT % {"form": FORM, "authorization": AUTHORIZATION, "plans": plans})
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", "-s", script]
    output = tool_output([*command, target.url + "/"])
    fields = next(line for line in output.splitlines() if line.startswith("RESULT ")).split()[1:]
    requests, microseconds, broken, non_2xx = (int(field) for field in fields[:4])
    return Run(requests / (microseconds / 1e6), float(fields[5]) / 1000, broken + non_2xx)


def ab(target: Target, scenario: str, connections: int, seconds: float, workdir: str) -> Run:
    """One ab run, a new connection per request (as a shell loop of curl calls): ab's keep-alive is HTTP/1.0's,
    whose answers must say ``Connection: keep-alive``, which http.server's do not (ab then waits for the close).
    ab sends one body, so it runs the DescribeNetworkInterfaces scenario only."""
    body, csv = os.path.join(workdir, "ab-body"), os.path.join(workdir, "ab.csv")
    with open(body, "w") as file:
        file.write(bodies(target, scenario)[0][0])
    command = ["ab", "-q", "-s", "10", "-c", str(connections), "-t", f"{seconds:g}", "-n", "9999999", "-p", body]
    command += ["-T", FORM]
    command += ["-H", f"Authorization: {AUTHORIZATION}", "-H", "X-Amz-Date: 20260101T000000Z", "-e", csv]
    output = tool_output([*command, target.url + "/"])

    def number(label: str) -> float:
        found = re.search(rf"^{label}:\s+([0-9.]+)", output, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    with open(csv) as file:
        p99 = next(float(line.split(",")[1]) for line in file if line.startswith("99,"))
    return Run(number("Requests per second"), p99, int(number("Failed requests") + number("Non-2xx responses")))


SCENARIOS = {"describe": "DescribeNetworkInterfaces by id", "cycle": "Assign/Unassign one fixed address"}
CLIENTS: Dict[str, Tuple[Callable[[Target, str, int, float, str], Run], Tuple[str, ...]]] = {
    "wrk": (wrk, ("describe", "cycle")),
    "ab": (ab, ("describe",)),
}


@contextmanager
def command_server() -> Iterator[str]:
    """``botohook serve`` as a user runs it, in a process of its own, its request log going to a file."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "botohook", "serve", "--seed", "1", "--port", str(port)], stdout=log
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, process, time.perf_counter() + 30)
            yield url
        finally:
            process.terminate()
            process.wait()


def wait_ready(url: str, process: subprocess.Popen[Any], deadline: float) -> None:
    """Return once the server at ``url`` answers a DescribeNetworkInterfaces with 200."""
    while True:
        try:
            status, answer = post(url, "Action=DescribeNetworkInterfaces&Version=2016-11-15")
        except OSError:
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{url} never answered (exit status {process.poll()})") from None
            time.sleep(0.002)
            continue
        if status != 200:
            raise RuntimeError(f"{url} answered {status}: {answer[:300]!r}")
        return


def load(args: argparse.Namespace) -> None:
    clients = {}
    for name, client in CLIENTS.items():
        if shutil.which(name) is None:
            package = "wrk" if name == "wrk" else "apache2-utils"
            print(f"\n({name} not found on PATH: its runs are skipped; `apt-get install {package}` provides it)")
        else:
            clients[name] = client
    if not clients:
        return
    with contextlib.ExitStack() as stack:
        targets = {FLOOR: Target(stack.enter_context(floor_server()), "eni-1", [f"10.0.0.{n}" for n in range(8)])}
        targets[OURS] = prepare(stack.enter_context(botohook.serve(botohook.Simulator(seed=1))).endpoint_url, args.busy)
        targets[COMMAND] = prepare(stack.enter_context(command_server()), args.busy)
        moto_server = start_moto()
        if moto_server is None:
            print("\n(moto's server not installed: `pip install 'moto[server]'` adds it)")
        else:
            stack.callback(moto_server.stop)
            targets[MOTO] = prepare(f"http://127.0.0.1:{moto_server._server.server_port}", args.busy)
        workdir = stack.enter_context(tempfile.TemporaryDirectory())
        cells = [
            (client, scenario, connections)
            for client, (_, scenarios) in clients.items()
            for scenario in scenarios
            for connections in CONNECTIONS
        ]
        runs: Dict[Tuple[str, str, int, str], List[Run]] = {}
        names = list(targets)
        for index in range(args.load_rounds):
            for client, scenario, connections in cells:
                for name in names[index % len(names) :] + names[: index % len(names)]:
                    run = clients[client][0](targets[name], scenario, connections, args.seconds, workdir)
                    runs.setdefault((client, scenario, connections, name), []).append(run)
                    if scenario == "cycle" and name != FLOOR:
                        settle(targets[name])
    report_load(runs, cells, names, args)


def report_load(
    runs: Dict[Tuple[str, str, int, str], List[Run]],
    cells: List[Tuple[str, str, int]],
    names: List[str],
    args: argparse.Namespace,
) -> None:
    rows, verdicts = [], []
    for client, scenario, connections in cells:
        rps = {name: statistics.median(run.rps for run in runs[client, scenario, connections, name]) for name in names}
        for name in names:
            measured = runs[client, scenario, connections, name]
            p99 = statistics.median(run.p99_ms for run in measured)
            failed = sum(run.failed for run in measured)
            rows.append([
                client, SCENARIOS[scenario], str(connections), name, f"{rps[name]:,.0f}", f"{p99:.2f}",
                f"{rps[name] / rps[FLOOR]:.2f}x", str(failed),
            ])  # fmt: skip
        verdict = f"{rps[OURS] / rps[FLOOR]:.2f}x the floor ({'met' if rps[OURS] >= 0.8 * rps[FLOOR] else 'MISSED'})"
        if MOTO in rps:
            verdict += f", {rps[OURS] / rps[MOTO]:.1f}x moto ({'met' if rps[OURS] >= 5 * rps[MOTO] else 'MISSED'})"
        verdicts.append(f"- {client}, {SCENARIOS[scenario]}, {connections} connection(s): botohook.serve() {verdict}")
    table(
        f"Fast clients over loopback: median of {args.load_rounds} interleaved runs of {args.seconds:g} s each",
        ["client", "requests", "connections", "server", "requests/s", "p99 ms", "x floor", "failed"],
        rows,
    )
    print("\nTargets (botohook.serve() >= 0.8x the floor's requests/s, >= 5x moto's):")
    print("\n".join(verdicts))


BARE_SERVER = """import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Constant(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Constant).serve_forever()
"""


def startup_commands() -> Dict[str, Callable[[int], List[str]]]:
    """What is started, by name: each takes the port to listen on."""
    commands: Dict[str, Callable[[int], List[str]]] = {
        "a bare http.server process (the floor)": lambda port: [sys.executable, "-c", BARE_SERVER, str(port)],
        "python -m botohook serve": lambda port: [sys.executable, "-m", "botohook", "serve", "--port", str(port)],
    }
    script = os.path.join(os.path.dirname(sys.executable), "botohook")
    if os.path.exists(script):  # the console script itself, not a version manager's shim in front of it
        commands["botohook serve (the console script)"] = lambda port: [script, "serve", "--port", str(port)]
    return commands


def first_answer(command: List[str], port: int, stderr: Any = subprocess.DEVNULL) -> float:
    """Seconds from starting ``command`` until it answers its first request on ``port``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        wait_ready(f"http://127.0.0.1:{port}", process, start + 30)
        return time.perf_counter() - start
    finally:
        process.terminate()
        process.wait()


def startup(args: argparse.Namespace) -> None:
    commands = startup_commands()
    samples: Dict[str, List[float]] = {"python -c pass (the interpreter alone, to exit)": []}
    samples.update({name: [] for name in commands})
    for _ in range(args.startup_rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples["python -c pass (the interpreter alone, to exit)"].append(time.perf_counter() - start)
        for name, command in commands.items():
            port = free_port()
            samples[name].append(first_answer(command(port), port))
    table(
        f"Start-up: from process start until the first answer ({args.startup_rounds} interleaved runs; target 0.5 s)",
        ["process", "median ms", "max ms"],
        [[name, f"{statistics.median(v) * 1000:.0f}", f"{max(v) * 1000:.0f}"] for name, v in samples.items()],
    )
    imports(args)


def imports(args: argparse.Namespace) -> None:
    """The imports that dominate ``botohook serve``'s start-up, from ``python -X importtime`` (up to the first
    answer, so imports made on the first request count too)."""
    port = free_port()
    with tempfile.TemporaryFile() as trace:
        whole = first_answer([sys.executable, "-X", "importtime", "-m", "botohook", "serve", "--port", str(port)], port,
                             stderr=trace)  # fmt: skip
        trace.seek(0)
        lines = trace.read().decode().splitlines()
    pending: Dict[int, List[Tuple[str, int, int, list]]] = {}  # per depth, the modules whose parent is yet to come
    for line in lines:
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        children = pending.pop(depth + 1, [])
        pending.setdefault(depth, []).append((name.strip(), int(own), int(cumulative), children))
    roots = pending.get(0, [])
    total = sum(node[2] for node in roots)
    packages: Dict[str, int] = {}
    for line in lines:
        if line.startswith("import time:") and "self [us]" not in line:
            own, _, name = line[len("import time:") :].split("|")
            package = name.strip().split(".")[0]
            packages[package] = packages.get(package, 0) + int(own)
    print(
        f"\nImports under -X importtime: {total / 1000:.0f} ms of {whole * 1000:.0f} ms to the first answer (importtime"
        " slows imports). By top-level package (own time of its modules, ms): "
        + ", ".join(f"{name} {own / 1000:.0f}" for name, own in sorted(packages.items(), key=lambda kv: -kv[1])[:8])
        + ". The modules of >= 3% of the total, six levels deep, cumulative ms:\n"
    )
    print("```")

    def show(nodes: List[Tuple[str, int, int, list]], level: int) -> None:
        for name, own, cumulative, children in sorted(nodes, key=lambda node: -node[2]):
            if cumulative >= 0.03 * total and level < 6:
                print(f"{'  ' * level}{name:<{48 - 2 * level}} {cumulative / 1000:7.1f}  (self {own / 1000:.1f})")
                show(children, level + 1)

    show(roots, 0)
    print("```")


def cli(args: argparse.Namespace) -> None:
    try:
        import awscli  # noqa: F401
    except ImportError:
        print("\n(AWS CLI not installed: skipped)")
        return
    with botohook.serve(botohook.Simulator(seed=1), region="us-east-1") as served:
        busy_subnet(served.client(), busy=4)
        environ = {**served.environ, "PATH": ""}
        commands = {
            "aws --version (the CLI's start-up)": [sys.executable, "-m", "awscli", "--version"],
            "aws ec2 describe-network-interfaces": [
                sys.executable, "-m", "awscli", "ec2", "describe-network-interfaces", "--output", "json",
            ],
        }  # fmt: skip
        samples: Dict[str, List[float]] = {name: [] for name in commands}
        for _ in range(max(3, args.rounds // 3)):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command, env=environ, check=True, capture_output=True)
                samples[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    table(
        "The AWS CLI v1 as a separate process against botohook's server (whole process, median)",
        ["command", "ms"],
        [[name, f"{ms:.0f}"] for name, ms in medians.items()],
    )
    startup, whole = medians.values()
    print(f"\nThe CLI's own start-up is {startup / whole:.0%} of the command.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test, not a measurement")
    parser.add_argument("--only", choices=SECTIONS, nargs="+", default=list(SECTIONS), help="run these sections only")
    args = parser.parse_args()
    args.rounds, args.per_round = (4, 10) if args.quick else (30, 60)
    args.load_rounds, args.seconds = (1, 1.0) if args.quick else (3, 5.0)
    args.startup_rounds, args.busy = (1, 4) if args.quick else (10, BUSY_INTERFACES)
    print(f"Python {sys.version.split()[0]}; boto3 {boto3.__version__}")
    for name in args.only:
        SECTIONS[name](args)


SECTIONS: Dict[str, Callable[[argparse.Namespace], None]] = {
    "boto3": per_call, "load": load, "startup": startup, "cli": cli
}  # fmt: skip


if __name__ == "__main__":
    main()
