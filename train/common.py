"""Shared helpers for the PercepNetFx training pipeline (paths, CLI, constants).

Nothing here implements DSP: features and targets come from the C# CLI
(`percepnetfx features`, spec §5/§6). Python only synthesises audio (§8.4),
trains the network (§8.1-8.3) and exports it (§8.5).
"""
import os
import shlex

# ---- fixed sizes (spec §1.1, §3.1, §5) -------------------------------------
FS = 48000          # internal sample rate
HOP = 480           # N, one frame advance = 10 ms
NB = 34             # bands
NF = 70             # features per frame
NBINS = 481         # FFT bins 0..480; k_lp >= 481 means "not band-limited"

TRAIN_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TRAIN_DIR)


def _main_worktree_root():
    """In a linked git worktree, `.git` is a file "gitdir: <main>/.git/worktrees/<name>";
    return <main> (the main checkout), else None."""
    try:
        with open(os.path.join(REPO_ROOT, ".git")) as f:
            line = f.read().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    gitdir = line.split(":", 1)[1].strip()
    parts = os.path.normpath(gitdir).split(os.sep)
    if len(parts) >= 3 and parts[-2] == "worktrees":
        return os.path.dirname(os.sep.join(parts[:-2]))
    return None


def data_root():
    """Audio data folder: env PERCEPNETFX_DATA, else <repo_root>/../shared/data
    (for a linked git worktree, also tried relative to the main checkout)."""
    env = os.environ.get("PERCEPNETFX_DATA")
    if env:
        return os.path.abspath(env)
    default = os.path.abspath(os.path.join(REPO_ROOT, "..", "shared", "data"))
    if not os.path.isdir(default):
        main = _main_worktree_root()
        if main:
            alt = os.path.abspath(os.path.join(main, "..", "shared", "data"))
            if os.path.isdir(alt):
                return alt
    return default


def cli_command():
    """Command prefix (list of argv words) that runs the C# `percepnetfx` CLI.

    Order: env PERCEPNETFX_CLI (split like a shell would), else the built
    Release dll if it exists, else `dotnet run --project <repo>/src/Cli`.
    """
    env = os.environ.get("PERCEPNETFX_CLI")
    if env:
        return shlex.split(env)
    dll = os.path.join(REPO_ROOT, "src", "Cli", "bin", "Release", "net10.0", "percepnetfx.dll")
    if os.path.isfile(dll):
        return ["dotnet", dll]
    return ["dotnet", "run", "--project", os.path.join(REPO_ROOT, "src", "Cli"), "-c", "Release", "--"]
