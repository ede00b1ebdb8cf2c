#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run a command in a private mount namespace whose /dev/log is a given socket.

    nsrun.py --log-socket SOCK --stage DIR [--chdir DIR]
             [--die-with-parent PID]
             [--tmpfs DIR | --mkdir DIR | --bind SRC DST]... -- COMMAND [ARG]...

Must run as root.  Inside a new mount namespace (nothing is visible to, or
changed on, the host): the real /dev is bind-mounted on the empty directory
DIR, a tmpfs is mounted over /dev, every entry of the real /dev except `log`
is recreated (device nodes and directories by bind mount, symlinks copied,
ptmx as a new node),
SOCK is bind-mounted onto /dev/log, DIR is detached.  Then, in the order
given, `--tmpfs DIR` mounts an empty tmpfs on DIR, `--mkdir DIR` creates a
directory (0755; meant for inside such a tmpfs), `--bind SRC DST` bind-mounts
SRC over the existing DST (how the end-to-end tests put their own
/etc/pam.d, /etc/passwd, ... in front of the host's without changing them).
With `--die-with-parent PID` (the pid of the process starting nsrun) the
command gets SIGTERM when that process dies.  Finally COMMAND is exec'd.
Used by logcapture.py.
"""

import ctypes
import ctypes.util
import os
import stat
import sys

CLONE_NEWNS = 0x00020000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_NOSUID = 2
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
SIGTERM = 15

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))


def mount(src, target, fstype, flags, data=None):
    check(libc.mount(src and src.encode(), target.encode(),
                     fstype and fstype.encode(), ctypes.c_ulong(flags),
                     data and data.encode()),
          "mount %s on %s" % (src, target))


def bind(src, target, recursive=False):
    mount(src, target, None, MS_BIND | (MS_REC if recursive else 0))


def setup(log_socket, stage):
    check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    bind("/dev", stage, recursive=True)
    mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755")
    for name in sorted(os.listdir(stage)):
        if name == "log":
            continue
        src, dst = os.path.join(stage, name), os.path.join("/dev", name)
        st = os.lstat(src)
        if stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(src), dst)
        elif stat.S_ISDIR(st.st_mode):
            os.mkdir(dst, stat.S_IMODE(st.st_mode))
            bind(src, dst, recursive=True)
        elif name == "ptmx" and stat.S_ISCHR(st.st_mode):
            # A new node, not a bind mount: the kernel finds the pty file
            # system at "pts" beside the ptmx node that was opened, which a
            # file bind-mounted from elsewhere does not have (ENOENT). sudo
            # 1.9.14 and newer (use_pty, Debian 13) open it on a terminal.
            os.mknod(dst, stat.S_IFCHR | stat.S_IMODE(st.st_mode), st.st_rdev)
            os.chown(dst, st.st_uid, st.st_gid)
        else:
            os.close(os.open(dst, os.O_CREAT | os.O_WRONLY, 0o600))
            bind(src, dst)
    os.close(os.open("/dev/log", os.O_CREAT | os.O_WRONLY, 0o666))
    bind(log_socket, "/dev/log")
    check(libc.umount2(stage.encode(), MNT_DETACH), "umount " + stage)


def apply_mounts(ops):
    """ops: [("tmpfs", dir) | ("mkdir", dir) | ("bind", src, dst)], in order."""
    for op in ops:
        if op[0] == "tmpfs":
            mount("tmpfs", op[1], "tmpfs", MS_NOSUID, "mode=0755")
        elif op[0] == "mkdir":
            os.mkdir(op[1], 0o755)
        else:
            bind(op[1], op[2])


def die_with_parent(parent):
    """SIGTERM when `parent` (the pid that started us) dies, even if it
    already died while this interpreter was starting."""
    check(libc.prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        raise OSError(0, "parent %d already gone" % parent)


def main(argv):
    args = list(argv)
    log_socket = stage = chdir = None
    ops = []
    parent = None
    while args and args[0] != "--":
        opt = args.pop(0)
        if opt in ("--log-socket", "--stage", "--chdir", "--tmpfs", "--mkdir", "--bind",
                   "--die-with-parent") \
                and len(args) < (2 if opt == "--bind" else 1):
            sys.stderr.write("nsrun: %s needs an argument\n" % opt)
            return 2
        if opt == "--log-socket":
            log_socket = args.pop(0)
        elif opt == "--stage":
            stage = args.pop(0)
        elif opt == "--chdir":
            chdir = args.pop(0)
        elif opt in ("--tmpfs", "--mkdir"):
            ops.append((opt[2:], args.pop(0)))
        elif opt == "--bind":
            ops.append(("bind", args.pop(0), args.pop(0)))
        elif opt == "--die-with-parent":
            parent = int(args.pop(0))
        else:
            sys.stderr.write("nsrun: unknown option %s\n" % opt)
            return 2
    if not args or not log_socket or not stage or len(args) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd = args[1:]
    try:
        if parent is not None:
            die_with_parent(parent)
        setup(log_socket, stage)
        apply_mounts(ops)
        if chdir:
            os.chdir(chdir)
        os.execvp(cmd[0], cmd)
    except OSError as e:
        sys.stderr.write("nsrun: %s\n" % e)
        return 127
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
