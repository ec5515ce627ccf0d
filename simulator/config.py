"""Where Rapport keeps things, and the settings that come from the environment.

Every user folder can be moved with one variable, ``RAPPORT_HOME`` (tests point it at a
temporary folder).  Without it the platform's folders are used (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "rapport"
_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def _home() -> Path | None:
    value = os.environ.get("RAPPORT_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """User configuration: the user's personas (``personas/``).  Settings come from flags and the
    environment only; there is no configuration file."""
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    """User data: the session database and recorded audio."""
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP))


def _bundled(name: str) -> Path:
    """A data folder shipped with Rapport: the checkout's in development, the wheel's when installed."""
    in_repo = _REPO / name
    if in_repo.is_dir() and (_REPO / "pyproject.toml").is_file():
        return in_repo
    return _PACKAGE / "_data" / name


def bundled_personas_dir() -> Path:
    return _bundled("personas")


def bundled_audio_dir() -> Path:
    return _bundled("audio")


def user_personas_dir() -> Path:
    return config_dir() / "personas"


def persona_dirs(extra: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """Folders searched for persona files, later ones overriding earlier ones by id.

    Order: the bundled personas, the user folder, ``RAPPORT_PERSONAS`` (``os.pathsep``-separated),
    then folders given with ``--personas``.
    """
    dirs = [bundled_personas_dir(), user_personas_dir()]
    env = os.environ.get("RAPPORT_PERSONAS")
    if env:
        dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    dirs += [Path(p).expanduser() for p in extra]
    return dirs


def db_url(explicit: str | None = None) -> str:
    """The session store: ``--db``, then ``RAPPORT_DB``, then an SQLite file in the data folder.

    The one place ``RAPPORT_DB`` is read: ``--db`` has no click ``envvar``, every command passes
    its value (None when not given) down to ``Store.open``, which resolves it here."""
    if explicit:
        return explicit
    env = os.environ.get("RAPPORT_DB")
    if env:
        return env
    return db_url_default()


def db_url_default() -> str:
    """The SQLite file in the data folder, used when neither ``--db`` nor ``RAPPORT_DB`` is given."""
    return f"sqlite:///{data_dir() / 'sessions.db'}"


def audio_dir(explicit: str | Path | None = None) -> Path:
    """Where turn recordings go: ``--audio-dir``, then ``RAPPORT_AUDIO_DIR``, then the data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("RAPPORT_AUDIO_DIR")
    return Path(env).expanduser() if env else data_dir() / "audio"
