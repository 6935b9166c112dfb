"""Merging a layer's `contents` the way the seed's `rsync -ak ITEM/ layer/` does.

The seed copies every contents item into the layer directory in turn with
`rsync -ak $item/ layer/`. What that leaves behind, restated:

- the *contents* of each item land at the layer root (the trailing slash), and
  the item directory's own mode becomes the layer root's mode;
- modes are kept (`-p`), symlinks are kept as symlinks (`-l`), except that a
  symlink whose target is a directory is copied as that directory (`-k`,
  `--copy-dirlinks`), recursively; a dangling symlink stays a symlink;
- hard links are not preserved (no `-H`): every file is its own copy;
- a later item overrides an earlier one: directories merge (the later mode
  wins), a file or symlink replaces whatever was there, a directory replaces
  a file; a file where a non-empty directory is fails ("cannot delete
  non-empty directory"), which makes the seed's build fail too.

One deliberate difference: rsync's quick check skips a file whose size and
mtime equal the destination's, and every store file has mtime 1, so in the
seed a later item's file of the *same size* as an earlier one is silently
not copied (only its mode is). Here the later item always wins.

Instead of copying straight away, `merge_contents` computes the merged tree
(relative path -> where its bytes come from), so a layer with no
`extraCommands` can be streamed into a tar without a copy (`tree_entries`); `materialise`
writes the tree to a directory when a script has to run over it.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from typing import Callable, Iterator

from nixlite.build.python_builders import BuilderFailed
from nixlite.docker import tar_format as tf
from nixlite.docker.layer_tar import Entry, sort_key

ROOT = ""  # the relative path of the layer root in a ContentsTree


@dataclass
class ContentNode:
    """One file of the merged tree: its kind, mode and where it comes from.

    kind    "dir", "file" or "symlink"
    mode    permission bits (stat.S_IMODE)
    source  the physical path of a file's bytes (None for dirs and symlinks)
    target  a symlink's target
    """

    kind: str
    mode: int
    source: str | None = None
    target: str | None = None
    size: int = 0


class ContentsTree:
    """The merged contents: relative path ("" for the root, "a/b" below) -> node."""

    def __init__(self) -> None:
        self.nodes: dict[str, ContentNode] = {ROOT: ContentNode("dir", 0o755)}
        self.children: dict[str, set[str]] = {ROOT: set()}

    def add(self, rel: str, node: ContentNode) -> None:
        self.nodes[rel] = node
        self.children[rel.rpartition("/")[0]].add(rel)
        if node.kind == "dir":
            self.children[rel] = set()

    def remove_subtree(self, rel: str) -> None:
        for child in self.children.pop(rel, set()):
            self.remove_subtree(child)
        del self.nodes[rel]
        self.children[rel.rpartition("/")[0]].discard(rel)

    def sorted_paths(self) -> list[str]:
        """Every path but the root, parents before children, siblings by byte order."""
        return sorted((p for p in self.nodes if p), key=sort_key)


PhysicalMap = Callable[[str], str]


def merge_contents(items: list[str], physical: PhysicalMap | None = None,
                   store_dir: str = "/nix/store") -> ContentsTree:
    """The tree `for item in items: rsync -ak item/ layer/` leaves in an empty `layer/`.

    `items` are physical directories. Symlinks are resolved as the builder
    would see them in Nix's sandbox: absolute targets inside `store_dir` via
    `physical` (the store may live elsewhere on disk), other absolute targets
    not at all (the host is not visible there: the link is kept as is).
    """
    tree = ContentsTree()
    resolver = _SymlinkResolver(physical or (lambda p: p), store_dir)
    for item in items:
        if not os.path.isdir(item):
            raise BuilderFailed(f"contents item {item} is not a directory (rsync -ak {item}/ layer/ fails)")
        st = os.stat(item)
        tree.nodes[ROOT].mode = stat.S_IMODE(st.st_mode)
        _merge_dir(tree, item, ROOT, {(st.st_dev, st.st_ino)}, resolver)
    return tree


class _SymlinkResolver:
    """Follows a symlink chain to the physical file it ends at, or None if it dangles."""

    MAX_HOPS = 40

    def __init__(self, physical: PhysicalMap, store_dir: str) -> None:
        self.physical = physical
        self.store_dir = store_dir

    def final(self, link: str) -> tuple[str, os.stat_result] | None:
        path = link
        for _ in range(self.MAX_HOPS):
            target = os.readlink(path)
            if os.path.isabs(target):
                if target != self.store_dir and not target.startswith(self.store_dir + "/"):
                    return None
                path = self.physical(target)
            else:
                path = os.path.join(os.path.dirname(path), target)
            try:
                st = os.lstat(path)
            except OSError:
                return None
            if not stat.S_ISLNK(st.st_mode):
                return path, st
        return None


def _merge_dir(tree: ContentsTree, src_dir: str, rel_dir: str, ancestors: set[tuple[int, int]],
               resolver: _SymlinkResolver) -> None:
    with os.scandir(src_dir) as it:
        entries = sorted(it, key=lambda e: os.fsencode(e.name))
    for entry in entries:
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        node, followed = _node_for(entry, resolver)
        if node.kind == "dir":
            key = (followed[1].st_dev, followed[1].st_ino)
            if key in ancestors:
                raise BuilderFailed(f"contents: symlink loop at {entry.path} (rsync -k would recurse forever)")
            _place(tree, rel, node)
            _merge_dir(tree, followed[0], rel, ancestors | {key}, resolver)
        else:
            _place(tree, rel, node)


def _node_for(entry: os.DirEntry, resolver: _SymlinkResolver) -> tuple[ContentNode, tuple[str, os.stat_result]]:
    """The node rsync -ak makes of one source entry (symlinks to directories followed)."""
    st = entry.stat(follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        final = resolver.final(entry.path)
        if final is not None and stat.S_ISDIR(final[1].st_mode):
            return ContentNode("dir", stat.S_IMODE(final[1].st_mode)), final
        return ContentNode("symlink", 0o777, target=os.readlink(entry.path)), (entry.path, st)
    if stat.S_ISDIR(st.st_mode):
        return ContentNode("dir", stat.S_IMODE(st.st_mode)), (entry.path, st)
    if stat.S_ISREG(st.st_mode):
        return ContentNode("file", stat.S_IMODE(st.st_mode), source=entry.path, size=st.st_size), (entry.path, st)
    raise BuilderFailed(f"contents: {entry.path} is neither a file, a directory nor a symlink")


def _place(tree: ContentsTree, rel: str, node: ContentNode) -> None:
    """Put `node` at `rel`, overriding what an earlier item put there as rsync does."""
    old = tree.nodes.get(rel)
    if old is not None and old.kind == "dir":
        if node.kind == "dir":
            old.mode = node.mode  # directories merge; the later mode wins
            return
        if tree.children[rel]:
            raise BuilderFailed(f"contents: cannot delete non-empty directory {rel!r} "
                                f"to make way for a {node.kind} (as rsync -ak fails)")
    if old is not None:
        tree.remove_subtree(rel)
    tree.add(rel, node)


def materialise_node(node: ContentNode, path: str) -> None:
    """Create one node at `path` (a directory stays writable until `apply_directory_modes`)."""
    if node.kind == "dir":
        os.mkdir(path, 0o700)
    elif node.kind == "symlink":
        os.symlink(node.target or "", path)
    else:
        shutil.copyfile(node.source or "", path, follow_symlinks=False)
        os.chmod(path, node.mode)


def apply_directory_modes(tree: ContentsTree, dest: str) -> None:
    """Directory modes last, deepest first, so read-only directories could still be filled.

    The layer root keeps its own mode: the layer tar has no entry for it.
    """
    for rel in sorted((p for p, n in tree.nodes.items() if n.kind == "dir" and p), key=len, reverse=True):
        os.chmod(os.path.join(dest, rel), tree.nodes[rel].mode)


def materialise(tree: ContentsTree, dest: str) -> None:
    """Write `tree` into the existing empty directory `dest`."""
    for rel in tree.sorted_paths():
        materialise_node(tree.nodes[rel], os.path.join(dest, rel))
    apply_directory_modes(tree, dest)


def tree_entries(tree: ContentsTree) -> Iterator[Entry]:
    """The layer entries of a merged tree, read straight from the contents (no copy)."""
    for rel in tree.sorted_paths():
        node = tree.nodes[rel]
        if node.kind == "dir":
            yield Entry(name=rel, typeflag=tf.DIRECTORY, mode=node.mode)
        elif node.kind == "symlink":
            yield Entry(name=rel, typeflag=tf.SYMLINK, mode=0o777, linkname=node.target or "")
        else:
            yield Entry(name=rel, typeflag=tf.REGULAR, mode=node.mode, size=node.size, source=node.source)
