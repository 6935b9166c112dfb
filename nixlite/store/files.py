"""Deleting and opening up file trees that Nix-style code made read-only.

Store paths, staged build outputs and unpacked image layers are read-only by
design (mode 0444/0555); removing such a tree needs its directories made
writable first. One place for that, used by the store, the build runner and
the image builders.
"""

from __future__ import annotations

import os
import shutil
import stat


def make_writable(path: str) -> None:
    """Give the owner write (and directory search) permission throughout a tree."""
    st = os.lstat(path)
    if stat.S_ISDIR(st.st_mode):
        os.chmod(path, st.st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
        for name in os.listdir(path):
            make_writable(os.path.join(path, name))
    elif stat.S_ISREG(st.st_mode):
        os.chmod(path, st.st_mode | stat.S_IWUSR)


def remove_tree(path: str) -> None:
    """Delete a file, symlink or tree (even a read-only one); nothing if it is absent."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        make_writable(path)
        shutil.rmtree(path)
    else:
        os.unlink(path)
