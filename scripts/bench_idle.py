#!/usr/bin/env python3
"""bench_idle.py SETTLE SECONDS CMD...: CPU of an open, untouched view.

Runs CMD on a pseudo-terminal (120x40, TERM=xterm-256color), reads and
discards what it draws, waits SETTLE seconds for the first page to load,
then prints the percent of one core the process used over SECONDS while
nobody typed. Used by scripts/bench for the idle-CPU budget (issue 9).
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 (1-based) of the whole line.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid, cmd):
    """Exit 1 when the view already quit: an exited process uses no CPU,
    and that must not read as a pass."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        sys.exit(f"bench_idle: {' '.join(cmd)} exited (status {status}) before the measurement ended")


def drain(fd, until):
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:
                return


def main():
    settle, seconds, cmd = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        drain(fd, time.monotonic() + settle)
        alive(pid, cmd)
        before = cpu_seconds(pid)
        drain(fd, time.monotonic() + seconds)
        alive(pid, cmd)
        used = cpu_seconds(pid) - before
        print(f"{used / seconds * 100:.2f}")
    finally:
        os.write(fd, b"q")
        drain(fd, time.monotonic() + 1)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


if __name__ == "__main__":
    main()
