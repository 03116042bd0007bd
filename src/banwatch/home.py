"""Banwatch's own folders (its home, the index cache): private to the user.

The index cache is read back as Python objects and the store decides what
is prohibited, so whoever can write these folders can change banwatch's
answers or run code as its user. They are created with mode 0700 whatever
the umask, and a folder that belongs to another user or that group or others
can write is refused with one line, never used.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from banwatch.errors import BadInput


def private_folder(path: Path) -> Path:
    """`path` as a folder of the user's own, created 0700 where missing (an
    OSError when it cannot be made); BadInput when it is not private."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)  # mkdir's mode is narrowed by the umask, never widened; say it outright
    check_private(path)
    return path


def check_private(path: Path) -> None:
    info = path.stat()
    if not stat.S_ISDIR(info.st_mode):
        raise BadInput(str(path), "is not a folder")
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise BadInput(str(path), f"belongs to another user (uid {info.st_uid}): banwatch keeps its store and "
                       "index only in folders of its own user; set BANWATCH_HOME to one of yours")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        who = " and ".join(w for w, bit in (("its group", stat.S_IWGRP), ("others", stat.S_IWOTH))
                           if info.st_mode & bit)
        raise BadInput(str(path), f"can be written by {who} (mode {stat.S_IMODE(info.st_mode):o}), who could "
                       f"change banwatch's index or store: make it private (chmod 700 {path})")
