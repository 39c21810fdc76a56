"""The hook relay: the one place the core calls its plugins' hooks.

One method per hook says when it is called, in which order, and what the core does with
the answers. Hooks are always called through pluggy, so each implementation gets only
the arguments it declares (a ``register_permissions()`` that takes nothing is valid).
Where the core must know which plugin answered (who declared a permission, an indicator,
a command), the hook is called once per plugin through
``PluginManager.subset_hook_caller`` rather than by calling implementations directly.

Order: the core first, then the plugins in the order they were loaded (entry points by
name, then inline plugins), except the demo, which runs the plugins by name so a
programme built with the same seed is the same whatever was loaded first.

Events and questions during a user action go through the transaction instead
(``tx.emit`` for events, ``tx.ask`` for questions): they run inside it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pluggy

CORE = "core"


class HookRelay:
    """The hooks of one plugin manager, called the way the core calls them."""

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        self._callers: dict[tuple[str, str], Any] = {}

    # --- calling one plugin at a time -------------------------------------------------------
    def answering(self, hook: str, *, by_name: bool = False) -> list[str]:
        """The plugins implementing ``hook``: the core first, then in loading order (or by name)."""
        names = [impl.plugin_name for impl in getattr(self.pm.hook, hook).get_hookimpls()]
        loaded = [name for name, _plugin in self.pm.list_name_plugin()]
        order = sorted if by_name else (lambda found: sorted(found, key=loaded.index))
        return [name for name in order(set(names)) if name == CORE] + [
            name for name in order(set(names)) if name != CORE]

    def of(self, plugin: str, hook: str):
        """``hook`` as answered by ``plugin`` alone (a pluggy caller: keyword arguments)."""
        key = (plugin, hook)
        if key not in self._callers:
            others = [p for name, p in self.pm.list_name_plugin() if name != plugin and p is not None]
            self._callers[key] = self.pm.subset_hook_caller(hook, remove_plugins=others)
        return self._callers[key]

    def each(self, hook: str, *, by_name: bool = False, **arguments: Any) -> Iterator[tuple[str, Any]]:
        """``(plugin, answer)`` for every plugin implementing ``hook``, in order. An argument
        that is a function of the plugin's name (``per_plugin(...)``) is given each plugin's own."""
        for plugin in self.answering(hook, by_name=by_name):
            given = {name: value(plugin) if isinstance(value, _PerPlugin) else value
                     for name, value in arguments.items()}
            answers = self.of(plugin, hook)(**given)  # one implementation: at most one answer
            yield plugin, answers[0] if answers else None

    # --- what a programme is made of --------------------------------------------------------
    def register_hookspecs(self) -> None:
        self.pm.hook.register_hookspecs(add=self.pm.add_hookspecs)

    def register_permissions(self, register: Callable[..., None]) -> None:
        """``register(name, description, roles, plugin=...)`` for every permission declared."""
        for _plugin, _answer in self.each("register_permissions", register=per_plugin(register)):
            pass

    def register_indicators(self, register: Callable[..., None]) -> None:
        for _plugin, _answer in self.each("register_indicators", register=per_plugin(register)):
            pass

    def register_services(self, register: Callable[..., None]) -> None:
        for _plugin, _answer in self.each("register_services", register=per_plugin(register)):
            pass

    def register_eligibility_rules(self) -> dict[str, str]:
        """Requirement key → description, from every loaded plugin (the first word stands)."""
        rules: dict[str, str] = {}
        self.pm.hook.register_eligibility_rules(register=lambda key, description: rules.setdefault(key, description))
        return rules

    def register_converter_hooks(self, converter) -> None:
        self.pm.hook.register_converter_hooks(converter=converter)

    def register_tables(self) -> list:
        return [table for answer in self.pm.hook.register_tables() for table in (answer or [])]

    def audited_tables(self) -> list:
        """Every table ``audit verify`` compares with the trail: the core's, then each plugin's."""
        return [table for _plugin, answer in self.each("audited_tables") for table in (answer or [])]

    def register_migrations(self) -> list[tuple[str, Any]]:
        """``(plugin, versions folder)`` of every plugin with migrations."""
        return [(plugin, folder) for plugin, folder in self.each("register_migrations") if folder is not None]

    def register_commands(self, cli, failed: Callable[[str, Exception], None]) -> None:
        """Each plugin adds its commands; one that fails is reported through ``failed``
        and unregistered, and the CLI goes on without it."""
        for plugin in self.answering("register_commands"):
            try:
                self.of(plugin, "register_commands")(cli=cli)
            except Exception as exc:  # contained: one broken plugin does not take the CLI down
                failed(plugin, exc)

    def register_web(self, web, failed: Callable[[str, Exception], None]) -> None:
        """Each plugin adds its pages to the web workspace; one that fails is reported
        through ``failed`` and the workspace goes on without its pages."""
        for plugin in self.answering("register_web"):
            try:
                self.of(plugin, "register_web")(web=web)
            except Exception as exc:  # contained, like register_commands
                failed(plugin, exc)

    # --- the demo ---------------------------------------------------------------------------
    def demo_setup(self, demo) -> None:
        for _plugin, _answer in self.each("demo_setup", by_name=True, demo=demo):
            pass

    def demo_plugins(self) -> list[str]:
        """The plugins that add a month to the demo, in the order they do."""
        return self.answering("demo_month", by_name=True)

    def demo_month(self, plugin: str, demo, month) -> None:
        self.of(plugin, "demo_month")(demo=demo, month=month)

    # --- reports ------------------------------------------------------------------------------
    def report_scope(self, conn, donor, round):
        """The first plugin's answer to a report filtered by donor or round (or None)."""
        return self.pm.hook.report_scope(conn=conn, donor=donor, round=round)

    def report_analyses(self, conn, period, today, participants=None) -> list:
        """Every plugin's own tables for the programme report (``AnalysisTable``)."""
        return [table for answer in self.pm.hook.report_analyses(conn=conn, period=period, today=today,
                                                                  hook=self.pm.hook, participants=participants)
                for table in (answer or [])]


class _PerPlugin:
    def __init__(self, make: Callable[[str], Any]):
        self.make = make

    def __call__(self, plugin: str) -> Any:
        return self.make(plugin)


def per_plugin(register: Callable[..., None]) -> _PerPlugin:
    """Give each plugin a ``register`` that adds ``plugin=<its name>`` to what it declares."""
    return _PerPlugin(lambda plugin: lambda *args, **kwargs: register(*args, plugin=plugin, **kwargs))
