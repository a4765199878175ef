"""Unit tests of plugins/plugin_utils/render_tree.py (pure Python, a temporary folder, no Ansible run)."""
from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import render_tree as rt
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.render_tree import RenderTreeError

FILES = {
    "flag.yaml": "enabled: true\n",
    "applications/a.yaml": "kind: Application\nname: a\n",
    "applications/b.yaml": "kind: Application\nname: b\n",
    "components/a/manifests.yaml": "---\nkind: ConfigMap\n",
    "components/a/values.yaml": "# values of a\nvalues: {}\n",
}
PRUNE = ["applications", "components"]


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def _tree(root):
    """{relative path: (type, mode, bytes or None)} of everything under root."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                out[rel] = ("link", None, os.readlink(path))
            elif os.path.isdir(path):
                out[rel] = ("dir", _mode(path), None)
            else:
                with open(path, "rb") as handle:
                    out[rel] = ("file", _mode(path), handle.read())
    return out


def _render(root, files=None, prune=PRUNE, check=False):
    the_plan = rt.plan(str(root), FILES if files is None else files, prune)
    if not check:
        rt.apply(the_plan)
    return the_plan


# --------------------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["a.yaml", "a/b/c.yaml", "with space/ü.yaml", ".hidden"])
def test_check_relpath_accepts_plain_relative_paths(path):
    assert rt.check_relpath(path) == path


@pytest.mark.parametrize("path, needle", [
    ("", "non-empty relative path"),
    (None, "non-empty relative path"),
    ("/etc/passwd", "not absolute"),
    ("../x.yaml", "'..'"),
    ("a/../../x.yaml", "'..'"),
    ("a//b.yaml", "no empty component"),
    ("./a.yaml", "'.'"),
    ("a/", "no empty component"),
    ("a\0b", "NUL"),
])
def test_check_relpath_refuses_paths_that_leave_or_blur_the_root(path, needle):
    with pytest.raises(RenderTreeError, match="file") as err:
        rt.check_relpath(path, "file")
    assert needle in str(err.value)


def test_prune_folder_may_end_with_a_slash():
    assert rt.check_relpath("components/", "prune folder") == "components"


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------
def test_fresh_root_is_created_with_every_folder_0755_and_file_0644(tmp_path):
    root = tmp_path / "out" / "peeks-dev"
    old_umask = os.umask(0o077)  # the modes must not depend on the umask
    try:
        the_plan = _render(root)
    finally:
        os.umask(old_umask)
    assert the_plan.changed
    tree = _tree(tmp_path)
    assert tree["out"][:2] == ("dir", 0o755) and tree["out/peeks-dev"][:2] == ("dir", 0o755)
    for rel, text in FILES.items():
        assert tree["out/peeks-dev/" + rel] == ("file", 0o644, text.encode())
    for rel in ("applications", "components", "components/a"):
        assert tree["out/peeks-dev/" + rel][:2] == ("dir", 0o755)
    assert the_plan.paths("write") == sorted(str(root / rel) for rel in FILES)
    assert the_plan.paths("mkdir") == sorted(str(p) for p in (tmp_path / "out", root, root / "applications",
                                                                root / "components", root / "components/a"))
    assert the_plan.paths("delete") == []


def test_second_run_changes_nothing_and_touches_no_file(tmp_path):
    _render(tmp_path)
    before = {p: os.stat(tmp_path / p).st_mtime_ns for p in FILES}
    the_plan = _render(tmp_path)
    assert not the_plan.changed and the_plan.changes == []
    assert {p: os.stat(tmp_path / p).st_mtime_ns for p in FILES} == before


def test_only_files_whose_bytes_differ_are_written(tmp_path):
    _render(tmp_path)
    changed = dict(FILES, **{"applications/a.yaml": "kind: Application\nname: A\n"})
    inode = os.stat(tmp_path / "applications/b.yaml").st_ino
    the_plan = _render(tmp_path, changed)
    assert [(c.kind, c.path) for c in the_plan.changes] == [("write", "applications/a.yaml")]
    assert the_plan.changes[0].before == FILES["applications/a.yaml"]
    assert (tmp_path / "applications/a.yaml").read_text() == changed["applications/a.yaml"]
    assert os.stat(tmp_path / "applications/b.yaml").st_ino == inode


def test_content_is_written_exactly_no_newline_added_or_removed(tmp_path):
    files = {"a": "", "b": "no newline", "c": "two\n\n", "d": "ünïcödé ✓\r\n"}
    _render(tmp_path, files, prune=[])
    for rel, text in files.items():
        assert (tmp_path / rel).read_bytes() == text.encode("utf-8")


def test_mode_is_fixed_without_rewriting_the_content(tmp_path):
    _render(tmp_path)
    os.chmod(tmp_path / "flag.yaml", 0o600)
    os.chmod(tmp_path / "components/a", 0o700)
    inode = os.stat(tmp_path / "flag.yaml").st_ino
    the_plan = _render(tmp_path)
    assert sorted((c.kind, c.path, c.before, c.after) for c in the_plan.changes) == [
        ("chmod", "flag.yaml", 0o600, 0o644), ("chmod_dir", "components/a", 0o700, 0o755)]
    assert _mode(tmp_path / "flag.yaml") == 0o644 and _mode(tmp_path / "components/a") == 0o755
    assert os.stat(tmp_path / "flag.yaml").st_ino == inode
    assert the_plan.paths("write", "chmod") == [str(tmp_path / "flag.yaml")]


def test_two_renders_planned_together_into_sibling_roots_share_the_missing_parent(tmp_path):
    # Two renders into out/<a> and out/<b> started at once both plan to make out/: neither may fail on it.
    first = rt.plan(str(tmp_path / "out" / "a"), FILES, PRUNE)
    second = rt.plan(str(tmp_path / "out" / "b"), FILES, PRUNE)
    rt.apply(first)
    rt.apply(second)
    assert _tree(tmp_path / "out" / "a") == _tree(tmp_path / "out" / "b")


def test_existing_root_keeps_its_mode(tmp_path):
    os.chmod(tmp_path, 0o700)
    _render(tmp_path)
    assert _mode(tmp_path) == 0o700


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    _render(tmp_path)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(rt.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        _render(tmp_path, dict(FILES, **{"flag.yaml": "enabled: false\n"}))
    assert (tmp_path / "flag.yaml").read_text() == FILES["flag.yaml"]
    assert sorted(os.listdir(tmp_path)) == ["applications", "components", "flag.yaml"]


def test_a_link_where_a_file_goes_is_replaced_not_followed(tmp_path):
    target = tmp_path / "elsewhere.yaml"
    target.write_text("keep me\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "flag.yaml").symlink_to(target)
    the_plan = _render(root, {"flag.yaml": "enabled: true\n"}, prune=[])
    assert [(c.kind, c.before) for c in the_plan.changes] == [("write", "keep me\n")]
    assert not (root / "flag.yaml").is_symlink() and (root / "flag.yaml").read_text() == "enabled: true\n"
    assert target.read_text() == "keep me\n"


# --------------------------------------------------------------------------------------------------------
# Check mode: plan() alone
# --------------------------------------------------------------------------------------------------------
def test_plan_alone_changes_nothing_on_a_fresh_or_a_changed_tree(tmp_path):
    root = tmp_path / "x"
    the_plan = _render(root, check=True)
    assert the_plan.changed and not root.exists()
    assert the_plan.paths("write") == sorted(str(root / rel) for rel in FILES)
    _render(root)
    (root / "applications/old.yaml").write_text("old\n")
    snapshot = _tree(root)
    the_plan = _render(root, dict(FILES, **{"flag.yaml": "enabled: false\n"}), check=True)
    assert the_plan.paths("write") == [str(root / "flag.yaml")]
    assert the_plan.paths("delete") == [str(root / "applications/old.yaml")]
    assert _tree(root) == snapshot


# --------------------------------------------------------------------------------------------------------
# Pruning (the rule of the find + file/absent pair it replaces)
# --------------------------------------------------------------------------------------------------------
def test_prune_deletes_what_is_no_longer_listed_in_the_prune_folders_only(tmp_path):
    _render(tmp_path)
    (tmp_path / "applications/old.yaml").write_text("old\n")
    (tmp_path / "components/old").mkdir()
    (tmp_path / "components/old/manifests.yaml").write_text("old\n")
    (tmp_path / "components/old/sub").mkdir()
    (tmp_path / "notes.txt").write_text("not in a prune folder\n")
    the_plan = _render(tmp_path)
    assert sorted((c.kind, c.path, c.before) for c in the_plan.changes) == [
        ("delete", "applications/old.yaml", "file"), ("delete", "components/old", "directory")]
    assert sorted(os.listdir(tmp_path / "applications")) == ["a.yaml", "b.yaml"]
    assert sorted(os.listdir(tmp_path / "components")) == ["a"]
    assert (tmp_path / "notes.txt").exists()


def test_prune_keeps_hidden_entries_and_everything_inside_a_kept_folder(tmp_path):
    _render(tmp_path)
    (tmp_path / "applications/.gitkeep").write_text("")
    (tmp_path / "components/.cache").mkdir()
    (tmp_path / "components/a/extra.txt").write_text("kept: inside a rendered component\n")
    assert not _render(tmp_path).changed
    assert (tmp_path / "applications/.gitkeep").exists() and (tmp_path / "components/.cache").is_dir()
    assert (tmp_path / "components/a/extra.txt").exists()


def test_prune_of_everything_empties_the_folders_but_keeps_them(tmp_path):
    _render(tmp_path)
    _render(tmp_path, {"flag.yaml": "enabled: false\n", "applications/parent.yaml": "x\n"})
    assert os.listdir(tmp_path / "components") == []
    assert os.listdir(tmp_path / "applications") == ["parent.yaml"]


def test_a_missing_prune_folder_is_not_created(tmp_path):
    the_plan = _render(tmp_path, {"flag.yaml": "x\n", "applications/p.yaml": "p\n"})
    assert not (tmp_path / "components").exists()
    assert the_plan.paths("delete") == []


def test_prune_deletes_a_link_not_what_it_points_to(tmp_path):
    _render(tmp_path)
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.mkdir()
    (outside / "precious").write_text("x\n")
    (tmp_path / "components/gone").symlink_to(outside)
    the_plan = _render(tmp_path)
    assert [(c.kind, c.before) for c in the_plan.changes] == [("delete", "link")]
    assert not os.path.lexists(tmp_path / "components/gone")
    assert (outside / "precious").read_text() == "x\n"


# --------------------------------------------------------------------------------------------------------
# Errors name the path
# --------------------------------------------------------------------------------------------------------
def test_relative_root_is_refused(tmp_path):
    with pytest.raises(RenderTreeError, match="root 'out': must be an absolute path"):
        rt.plan("out", FILES)


@pytest.mark.parametrize("files, needle", [
    ({"a": 1}, "file 'a': content must be text, got int"),
    ({"a": "x", "a/b": "y"}, "file 'a': is also a folder of another listed file"),
    ({"../a": "x"}, "file '../a'"),
    ([("a", "x")], "files: must be a mapping"),
])
def test_bad_files_are_refused_before_anything_is_written(tmp_path, files, needle):
    with pytest.raises(RenderTreeError) as err:
        rt.plan(str(tmp_path / "root"), files)
    assert needle in str(err.value)
    assert not (tmp_path / "root").exists()


def test_prune_folder_that_is_a_listed_file_is_refused(tmp_path):
    with pytest.raises(RenderTreeError, match="prune folder 'flag.yaml': is also listed as a file"):
        rt.plan(str(tmp_path), FILES, ["flag.yaml"])


def test_a_folder_where_a_file_goes_fails_naming_it(tmp_path):
    (tmp_path / "flag.yaml").mkdir()
    with pytest.raises(RenderTreeError, match="file 'flag.yaml': .* is a folder"):
        rt.plan(str(tmp_path), FILES)


def test_a_file_where_a_folder_goes_fails_naming_it(tmp_path):
    (tmp_path / "applications").write_text("not a folder\n")
    with pytest.raises(RenderTreeError, match="folder 'applications': a file is in the way"):
        rt.plan(str(tmp_path), FILES)


def test_a_root_below_a_file_fails(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(RenderTreeError, match="is not a folder"):
        rt.plan(str(tmp_path / "f" / "root"), FILES)


# --------------------------------------------------------------------------------------------------------
# --diff
# --------------------------------------------------------------------------------------------------------
def test_diffs_look_like_copy_and_file_diffs(tmp_path):
    _render(tmp_path)
    (tmp_path / "applications/old.yaml").write_text("old\n")
    os.chmod(tmp_path / "applications/b.yaml", 0o600)
    the_plan = rt.plan(str(tmp_path), dict(FILES, **{"flag.yaml": "enabled: false\n",
                                                      "components/new/values.yaml": "v\n"}), PRUNE)
    diffs = rt.diffs(the_plan, max_diff_size=1000)
    flag = str(tmp_path / "flag.yaml")
    assert {"before_header": flag, "after_header": flag, "before": "enabled: true\n", "after": "enabled: false\n"} in diffs
    new = str(tmp_path / "components/new/values.yaml")
    assert {"before_header": new, "after_header": new, "before": "", "after": "v\n"} in diffs
    assert {"before": {"path": str(tmp_path / "components/new"), "state": "absent"},
            "after": {"path": str(tmp_path / "components/new"), "state": "directory"}} in diffs
    assert {"before": {"path": str(tmp_path / "applications/b.yaml"), "mode": "0600"},
            "after": {"path": str(tmp_path / "applications/b.yaml"), "mode": "0644"}} in diffs
    assert {"before": {"path": str(tmp_path / "applications/old.yaml"), "state": "file"},
            "after": {"path": str(tmp_path / "applications/old.yaml"), "state": "absent"}} in diffs
    assert len(diffs) == 5


def test_diff_of_a_large_file_is_skipped_like_copy(tmp_path):
    _render(tmp_path, {"big": "x" * 50 + "\n", "small": "a\n"}, prune=[])
    the_plan = rt.plan(str(tmp_path), {"big": "y\n", "small": "z" * 50}, [])
    by_path = {d["before_header"]: d for d in rt.diffs(the_plan, max_diff_size=10)}
    assert by_path[str(tmp_path / "big")] == {"before_header": str(tmp_path / "big"),
                                              "after_header": str(tmp_path / "big"), "dst_larger": 10}
    assert by_path[str(tmp_path / "small")]["src_larger"] == 10
    assert "before" not in by_path[str(tmp_path / "small")]
