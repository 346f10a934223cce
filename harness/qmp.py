# SPDX-License-Identifier: GPL-2.0
"""QEMU's machine protocol (QMP), for the harness's boot runs.

runner.py gives every boot run's QEMU a QMP socket; the harness uses it
when /init asks for something only the host can do: a screendump of the
display (screen.py), or stopping QEMU.
"""
import json
import socket


def run(path, command, **arguments):
    """Run @command on the QMP socket at @path; its reply."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(30)
        sock.connect(path)
        f = sock.makefile("rw")
        f.readline()
        for cmd in ({"execute": "qmp_capabilities"},
                    {"execute": command, "arguments": arguments}):
            f.write(json.dumps(cmd) + "\n")
            f.flush()
            while True:
                reply = json.loads(f.readline())
                if "return" in reply or "error" in reply:
                    break
        return reply
