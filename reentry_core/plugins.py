"""The one place plugins are loaded: the ``reentry.plugins`` entry-point group.

The built-in plugins come through the same door as outside ones. A plugin that fails to
import, or implements a hook that does not exist, is reported by name and left out, so
the rest of the tool keeps working; ``reentry plugins list`` shows its state.
``REENTRY_DISABLE_PLUGINS=a,b`` leaves plugins out by name.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any, Iterable

import pluggy

from . import hookspecs
from .i18n import _

ENTRY_POINT_GROUP = "reentry.plugins"
CORE = "core"


class PluginInfo:
    """What ``reentry plugins list`` shows for one plugin.

    A plain class, not attrs: this module is imported on every ``reentry`` call.
    """

    __slots__ = ("name", "version", "state", "hooks", "error", "module")

    def __init__(self, name: str, version: str, state: str, hooks: list[str] | None = None,
                 error: str | None = None, module: str | None = None):
        self.name = name
        self.version = version
        self.state = state  # loaded | disabled | failed
        self.hooks = hooks or []
        self.error = error
        self.module = module

    def __repr__(self) -> str:
        return f"PluginInfo({self.name!r}, {self.version!r}, {self.state!r}, error={self.error!r})"


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, plus what the loader learned about each plugin."""

    def __init__(self) -> None:
        super().__init__("reentry")
        self.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self._relay = None

    @property
    def relay(self):
        """The hooks as the core calls them (:class:`reentry_core.relay.HookRelay`)."""
        if self._relay is None:
            from .relay import HookRelay

            self._relay = HookRelay(self)
        return self._relay

    def unregister(self, plugin=None, name=None):
        self._relay = None  # the callers it made know the plugin
        return super().unregister(plugin, name)

    @property
    def failures(self) -> list[PluginInfo]:
        return [info for info in self.infos.values() if info.state == "failed"]

    def loaded_names(self) -> list[str]:
        return [name for name, info in self.infos.items() if info.state == "loaded"]


def disabled_names(environ: dict[str, str] | None = None) -> set[str]:
    raw = (environ if environ is not None else os.environ).get("REENTRY_DISABLE_PLUGINS", "")
    return {name.strip() for name in raw.split(",") if name.strip()}


class _EntryPoint:
    """One ``reentry.plugins`` entry point: its name, ``module:attr`` value and version."""

    __slots__ = ("name", "value", "version")

    def __init__(self, name: str, value: str, version: str):
        self.name, self.value, self.version = name, value, version

    def load(self) -> Any:
        from importlib import import_module

        module, _sep, attribute = self.value.partition(":")
        found = import_module(module.strip())
        for part in filter(None, attribute.strip().split(".")):
            found = getattr(found, part)
        return found


def _entry_points() -> list[_EntryPoint]:
    """The ``reentry.plugins`` entry points of the installed distributions.

    ``importlib.metadata.entry_points()`` reads the metadata of every installed package,
    some 25 ms with a few dozen of them, on every ``reentry`` call. Only the
    ``entry_points.txt`` files matter here, so they are read directly, once per
    distribution (the first on ``sys.path`` wins, as importlib.metadata decides).
    """
    import configparser
    import re

    found: dict[str, _EntryPoint] = {}
    seen: set[str] = set()
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            stem = entry.rsplit(".", 1)[0]
            name, _dash, rest = stem.partition("-")
            key = re.sub(r"[-_.]+", "_", name).lower()
            if key in seen:
                continue
            seen.add(key)
            path = os.path.join(folder or ".", entry, "entry_points.txt")
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            if ENTRY_POINT_GROUP not in text:
                continue
            parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
            parser.optionxform = str  # entry point names keep their case
            parser.read_string(text)
            version = rest.split("-")[0] if rest else _egg_version(os.path.join(folder or ".", entry))
            for ep_name, value in parser.items(ENTRY_POINT_GROUP) if parser.has_section(ENTRY_POINT_GROUP) else ():
                found.setdefault(ep_name, _EntryPoint(ep_name, value, version or "?"))
    return list(found.values())


def _egg_version(folder: str) -> str | None:
    try:
        with open(os.path.join(folder, "PKG-INFO"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def load_plugins(
    extra: Iterable[tuple[str, object]] = (),
    disabled: set[str] | None = None,
    entry_points: bool = True,
) -> PluginManager:
    """Build the plugin manager: the core, every entry point not disabled, then ``extra``.

    ``extra`` is ``(name, plugin_object)`` pairs: tests and notebooks register inline
    plugins this way.
    """
    from . import core_hooks

    pm = PluginManager()
    disabled = disabled_names() if disabled is None else disabled
    _register(pm, CORE, core_hooks, _core_version())
    if entry_points:
        for ep in sorted(_entry_points(), key=lambda e: e.name):
            version = ep.version
            if ep.name in disabled:
                pm.infos[ep.name] = PluginInfo(ep.name, version, "disabled", module=ep.value)
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the CLI down
                pm.infos[ep.name] = PluginInfo(
                    ep.name, version, "failed", error=_("cannot import {module}: {reason}").format(
                        module=ep.value, reason=f"{type(exc).__name__}: {exc}"), module=ep.value,
                )
                continue
            _register(pm, ep.name, plugin, version)
    for name, plugin in extra:
        if name in disabled:
            pm.infos[name] = PluginInfo(name, _version_of(plugin), "disabled")
            continue
        _register(pm, name, plugin, _version_of(plugin))
    pm.relay.register_hookspecs()
    _check_pending(pm)
    return pm


def _register(pm: PluginManager, name: str, plugin: object, version: str) -> None:
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        pm.infos[name] = PluginInfo(name, version, "failed", error=str(exc), module=module)
        return
    pm.infos[name] = PluginInfo(name, version, "loaded", module=module)
    _add_catalogue(module)


def _add_catalogue(module: str) -> None:
    """A plugin's own message catalogue: the domain named after its top package, in the
    ``locale`` folder of that package (``reentry plugins new`` makes one)."""
    package = module.split(".")[0]
    found = sys.modules.get(package)
    where = getattr(found, "__file__", None)
    if package and where and package != "reentry_core":
        from pathlib import Path

        from .i18n import add_catalogue

        folder = Path(where).parent / "locale"
        if folder.is_dir():
            add_catalogue(package, folder)


def _check_pending(pm: PluginManager) -> None:
    """Like ``check_pending()``, but a misspelled hook disables that plugin, by name."""
    while True:
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin)
            pm.unregister(exc.plugin)
            info = pm.infos[name]
            info.state = "failed"
            info.error = str(exc).replace("unknown hook ", _("unknown hook "))
            continue
        break
    for name, info in pm.infos.items():
        if info.state != "loaded":
            continue
        plugin = pm.get_plugin(name)
        info.hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])


def _version_of(plugin: object) -> str:
    return str(getattr(plugin, "__version__", None) or getattr(plugin, "VERSION", None) or "-")


def _core_version() -> str:
    from . import __version__

    return __version__


def warn_failures(pm: PluginManager, stream=None) -> None:
    """One line per broken plugin on stderr: loud, but the tool goes on."""
    stream = stream or sys.stderr
    for info in pm.failures:
        print(_("Warning: plugin {name!r} is not loaded: {reason}").format(name=info.name, reason=info.error), file=stream)
