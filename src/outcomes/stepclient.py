"""The rule side of the step server: hand a rule's step to the server, or run it here.

``workflow/scripts/run_step.py`` calls :func:`run_rule`. When the environment names a step server
(:data:`SERVER_ENV`, set by :func:`outcomes.steps.server.start_step_server`), the rule's process
sends it the rule (the ``snakemake`` object, its working directory and environment) and its
standard input, output and error, waits for the server's child that runs the step, and exits
with that child's exit status. Otherwise, or when the server does not answer, the step runs in
this process (:func:`outcomes.steps.run_step`). A server that cannot be reached never fails a
rule.

This module imports only the standard library, so a rule's process starts in a fraction of a
second; the design is in :mod:`outcomes.steps.server`.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import struct
import sys
from typing import Any

#: Environment variable with the path of the step server's socket; ``off`` runs every rule in a
#: fresh process of its own (and stops ``snakemake`` from starting a server).
SERVER_ENV = "OUTCOMES_STEP_SERVER"
#: The value of :data:`SERVER_ENV` that turns the step server off.
OFF = "off"
#: A request: the length of its JSON header, then the length of the pickled rule.
REQUEST_HEAD = struct.Struct("!II")
#: The reply: the child's exit code, or minus the signal that ended it.
REPLY = struct.Struct("!i")
#: The standard streams handed to the server's child.
STREAMS = (0, 1, 2)


class ServerLostError(Exception):
    """The server closed the connection before it sent the step's exit status."""


def server_turned_off() -> bool:
    """Whether the environment turns the step server off (:data:`SERVER_ENV` is :data:`OFF`)."""
    return os.environ.get(SERVER_ENV, "").strip().lower() == OFF


def server_address() -> str | None:
    """The step server's socket from the environment, or None when there is none or it is off."""
    address = os.environ.get(SERVER_ENV, "").strip()
    return None if not address or server_turned_off() else address


def send_request(sock: socket.socket, header: dict[str, Any], payload: bytes) -> None:
    """Send a request (JSON header and pickled rule) with this process's standard streams."""
    head = json.dumps(header).encode("utf-8")
    socket.send_fds(sock, [REQUEST_HEAD.pack(len(head), len(payload))], list(STREAMS))
    sock.sendall(head)
    sock.sendall(payload)


def receive_exactly(sock: socket.socket, size: int) -> bytes:
    """``size`` bytes from ``sock``; fewer only when the peer closed the connection."""
    chunks = []
    while size > 0:
        chunk = sock.recv(size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def delegate(smk: Any, address: str) -> int:
    """Run the rule ``smk`` in the step server at ``address`` and return its exit status.

    Returns
    -------
    int
        The child's exit code, or minus the signal that ended it.

    Raises
    ------
    OSError
        When the server cannot be reached (nothing has run).
    ServerLostError
        When the server went away while the step ran (its child died with it).
    """
    log = str(smk.log[0]) if len(smk.log) else ""
    header = {"rule": smk.rule, "log": log, "cwd": os.getcwd(), "env": dict(os.environ)}
    payload = pickle.dumps(smk, protocol=pickle.HIGHEST_PROTOCOL)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(address)
        send_request(sock, header, payload)
        reply = receive_exactly(sock, REPLY.size)
    if len(reply) < REPLY.size:
        raise ServerLostError(address)
    return REPLY.unpack(reply)[0]


def exit_with(status: int) -> None:
    """End this process as the server's child ended: its exit code, or the same signal."""
    sys.stdout.flush()
    sys.stderr.flush()
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
        status = 128 - status
    sys.exit(status)


def run_rule(smk: Any) -> None:
    """Run the step of the rule ``smk``: in the step server when there is one, else here."""
    address = server_address()
    if address is not None:
        try:
            exit_with(delegate(smk, address))
        except ServerLostError:
            print(f"{smk.rule}: the step server stopped; running the step here.", file=sys.stderr)
        except OSError:
            pass  # no server listening: the step runs in this process
    from outcomes.steps import run_step

    run_step(smk)
