"""Permissions: declared by the core and by plugins (``register_permissions``), held by roles.

A permission is checked in the service layer, so the Python API enforces exactly what
the CLI does. ``reentry staff roles`` prints this table.
"""

from __future__ import annotations

import attrs

from .domain import Role
from .errors import PluginError
from .i18n import _


@attrs.frozen
class Permission:
    name: str
    description: str
    roles: frozenset[Role]
    plugin: str


class PermissionRegistry:
    def __init__(self) -> None:
        self._permissions: dict[str, Permission] = {}

    def register(self, name: str, description: str, roles, plugin: str = "core") -> None:
        if name in self._permissions:
            raise PluginError(
                _("permission {name!r} is declared twice (by {a} and {b})").format(
                    name=name, a=self._permissions[name].plugin, b=plugin
                )
            )
        self._permissions[name] = Permission(name, description, frozenset(Role.parse(r) for r in roles), plugin)

    def get(self, name: str) -> Permission:
        try:
            return self._permissions[name]
        except KeyError:
            raise PluginError(_("permission {name!r} was never declared").format(name=name)) from None

    def allows(self, roles, name: str) -> bool:
        return bool(self.get(name).roles & frozenset(roles))

    def for_role(self, role: Role) -> list[Permission]:
        return [p for p in self._permissions.values() if role in p.roles]

    def __iter__(self):
        return iter(sorted(self._permissions.values(), key=lambda p: p.name))

    def __len__(self) -> int:
        return len(self._permissions)


def collect_permissions(pm) -> PermissionRegistry:
    """Ask every loaded plugin for its permissions, remembering who declared each."""
    registry = PermissionRegistry()
    pm.relay.register_permissions(registry.register)
    return registry
