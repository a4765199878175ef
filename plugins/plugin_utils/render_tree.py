# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Write a tree of text files under one root folder, in one pass, and prune what is no longer listed.

Pure Python (standard library only), importable by plain pytest as
``ansible_collections.appmod.agent_platform.plugins.plugin_utils.render_tree``. The action plugin
``plugins/action/render_tree.py`` is a thin wrapper: :func:`plan` looks at the disk and says what would
change (that is all check mode does), :func:`apply` makes those changes.

What one call does, for ``root``, ``files`` (relative path -> text) and ``prune`` (relative folders):

* every folder on the way to a listed file is created with mode 0755 (the root and its missing parents
  too); an existing folder below the root that holds a listed file gets mode 0755 if it has another mode.
  This is what ``ansible.builtin.file: state=directory mode=0755`` did for those folders.
* a listed file is written (UTF-8) only when its bytes differ, atomically (a temporary file in the same
  folder, then a rename), with mode 0644; a file with the right bytes but another mode only gets its mode
  fixed. That is what ``ansible.builtin.copy: content=... mode=0644`` did.
* in every ``prune`` folder, each entry directly in it (file, folder with all its content, or link) is
  deleted unless it is a listed file or a folder on the way to one. Entries whose name starts with a dot
  are kept, and so is everything inside a kept folder: the same rule as the ``ansible.builtin.find``
  (``file_type: any``, not recursive, hidden entries skipped) + ``ansible.builtin.file: state=absent``
  pair it replaces. A ``prune`` folder that does not exist is not created.

Errors (:class:`RenderTreeError`) name the path and say what is wrong: a path that is absolute, empty,
or leaves the root (``..``); a listed file where a folder exists, or a folder needed where a file exists.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field

FILE_MODE = 0o644
DIR_MODE = 0o755


class RenderTreeError(ValueError):
    """Invalid input or a disk state the tree cannot be written over; the message names the path."""


def check_relpath(path, what="path"):
    """``path`` as a normalised relative POSIX path (``a/b``), or :class:`RenderTreeError`.

    Refuses absolute paths, ``..``, empty components and ``.`` so that nothing is written or deleted
    outside the root and every file has exactly one spelling (``a//b`` and ``a/./b`` are errors, not
    silently the same file as ``a/b``).
    """
    if not isinstance(path, str) or not path:
        raise RenderTreeError("%s %r: must be a non-empty relative path" % (what, path))
    if path.startswith("/"):
        raise RenderTreeError("%s %r: must be relative to the root, not absolute" % (what, path))
    parts = path.rstrip("/").split("/") if what == "prune folder" else path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise RenderTreeError(
                "%s %r: every component must be a name (no empty component, '.' or '..'), like 'a/b.yaml'" % (what, path)
            )
        if "\0" in part:
            raise RenderTreeError("%s %r: contains a NUL character" % (what, path))
    return "/".join(parts)


@dataclass
class Change:
    """One change on the disk. ``path`` is relative to the root, or absolute for the root and its parents."""

    kind: str  # mkdir | chmod_dir | write | chmod | delete
    path: str
    before: object = None  # write: the old text ('' for a new file); chmod*: the old mode; delete: the old type
    after: object = None  # write: the new text; chmod*: the new mode
    data: bytes = b""  # write: the bytes to write


@dataclass
class Plan:
    root: str
    changes: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.changes)

    def paths(self, *kinds):
        """Absolute paths of the changes of these kinds, sorted."""
        return sorted({os.path.normpath(os.path.join(self.root, c.path)) for c in self.changes if c.kind in kinds})


def _kind_of(path):
    """``file``, ``directory``, ``link`` or None (missing), without following a link."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(st.st_mode):
        return "link"
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    return "file"


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def plan(root, files, prune=()):
    """What writing ``files`` under ``root`` and pruning ``prune`` would change, in the order to apply it.

    ``root`` must be absolute. ``files`` maps relative paths to text (str). ``prune`` lists relative
    folders. Reads the disk, changes nothing.
    """
    if not isinstance(root, str) or not os.path.isabs(root):
        raise RenderTreeError("root %r: must be an absolute path" % (root,))
    root = os.path.normpath(root)
    if not isinstance(files, dict):
        raise RenderTreeError("files: must be a mapping of relative path -> text, got %s" % type(files).__name__)
    wanted = {}
    for rel, text in files.items():
        norm = check_relpath(rel, "file")
        if not isinstance(text, str):
            raise RenderTreeError("file %r: content must be text, got %s" % (rel, type(text).__name__))
        wanted[norm] = text
    prune_dirs = [check_relpath(p, "prune folder") for p in (prune or [])]
    for p in prune_dirs:
        if p in wanted:
            raise RenderTreeError("prune folder %r: is also listed as a file" % (p,))

    # Folders: every ancestor of a listed file, shallowest first.
    folders = set()
    for rel in wanted:
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folders.add("/".join(parts[:i]))
    for rel in wanted:
        if rel in folders:
            raise RenderTreeError("file %r: is also a folder of another listed file" % (rel,))

    result = Plan(root=root)
    changes = result.changes

    # The root and its missing parents.
    missing = []
    here = root
    while _kind_of(here) is None:
        missing.append(here)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    if not os.path.isdir(here):
        raise RenderTreeError("root %r: %s is not a folder" % (root, here))
    for path in reversed(missing):
        changes.append(Change("mkdir", path, before="absent", after="directory"))
    root_missing = bool(missing)

    for rel in sorted(folders, key=lambda r: (r.count("/"), r)):
        path = os.path.join(root, rel)
        kind = None if root_missing else _kind_of(path)
        if kind is None:
            changes.append(Change("mkdir", rel, before="absent", after="directory"))
        elif kind == "directory":
            if _mode(path) != DIR_MODE:
                changes.append(Change("chmod_dir", rel, before=_mode(path), after=DIR_MODE))
        elif kind == "link" and os.path.isdir(path):
            pass  # a link to a folder is used as it is, like the file module (follow) did
        else:
            raise RenderTreeError("folder %r: a %s is in the way (%s); remove it or change the layout" % (rel, kind, path))

    # Files.
    for rel in sorted(wanted):
        path = os.path.join(root, rel)
        data = wanted[rel].encode("utf-8", errors="surrogateescape")
        kind = None if root_missing else _kind_of(path)
        if kind is None:
            changes.append(Change("write", rel, before="", after=wanted[rel], data=data))
            continue
        if kind == "directory" or (kind == "link" and os.path.isdir(path)):
            raise RenderTreeError("file %r: %s is a folder; remove it or change the layout" % (rel, path))
        if kind == "link":
            old = b""
            try:
                with open(path, "rb") as handle:
                    old = handle.read()
            except OSError:
                pass
            # A link is replaced by a regular file (the rename replaces the link, not its target).
            changes.append(Change("write", rel, before=old.decode("utf-8", errors="replace"), after=wanted[rel], data=data))
            continue
        with open(path, "rb") as handle:
            old = handle.read()
        if old != data:
            changes.append(Change("write", rel, before=old.decode("utf-8", errors="replace"), after=wanted[rel], data=data))
        elif _mode(path) != FILE_MODE:
            changes.append(Change("chmod", rel, before=_mode(path), after=FILE_MODE))

    # Pruning: entries directly in each prune folder that nothing listed needs.
    keep = set(wanted) | folders
    for folder in prune_dirs:
        path = os.path.join(root, folder)
        if root_missing or _kind_of(path) != "directory":
            continue
        for name in sorted(os.listdir(path)):
            if name.startswith("."):
                continue
            rel = folder + "/" + name
            if rel not in keep:
                changes.append(Change("delete", rel, before=_kind_of(os.path.join(path, name)), after="absent"))
    return result


def _write_atomic(path, data):
    folder, base = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % base, suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def apply(the_plan):
    """Make the changes of :func:`plan`, in order: folders, files, then deletions."""
    root = the_plan.root
    for change in the_plan.changes:
        path = os.path.normpath(os.path.join(root, change.path))
        if change.kind == "mkdir":
            # exist_ok: renders into sibling folders may run at once and share missing parents
            os.makedirs(path, exist_ok=True)
            os.chmod(path, DIR_MODE)
        elif change.kind in ("chmod_dir", "chmod"):
            os.chmod(path, change.after)
        elif change.kind == "write":
            _write_atomic(path, change.data)
        elif change.kind == "delete":
            if _kind_of(path) == "directory":
                shutil.rmtree(path)
            elif _kind_of(path) is not None:
                os.unlink(path)
        else:  # pragma: no cover - plan() makes no other kind
            raise RenderTreeError("unknown change %r" % (change.kind,))


def diffs(the_plan, max_diff_size=None):
    """One Ansible ``diff`` entry per change (what ``--diff`` prints), like copy/file would give.

    A text change over ``max_diff_size`` bytes (Ansible's ``MAX_FILE_SIZE_FOR_DIFF``) is reported as
    skipped, as ``ansible.builtin.copy`` does.
    """
    out = []
    for change in the_plan.changes:
        path = os.path.normpath(os.path.join(the_plan.root, change.path))
        if change.kind == "write":
            entry = {"before_header": path, "after_header": path}
            before_size = len(change.before.encode("utf-8", errors="replace"))
            if max_diff_size is not None and before_size > max_diff_size:
                entry["dst_larger"] = max_diff_size
            elif max_diff_size is not None and len(change.data) > max_diff_size:
                entry["src_larger"] = max_diff_size
            else:
                entry["before"] = change.before
                entry["after"] = change.after
            out.append(entry)
        elif change.kind in ("chmod", "chmod_dir"):
            out.append({"before": {"path": path, "mode": "%04o" % change.before},
                        "after": {"path": path, "mode": "%04o" % change.after}})
        else:
            out.append({"before": {"path": path, "state": change.before},
                        "after": {"path": path, "state": change.after}})
    return out
