"""What the database already holds, loaded once per plan: no query per row.

Delegations are found by name, code or the short names offices use ('城关' for 城关区);
stations by name within their delegation; delegates on file by phone and by name.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...models import Delegate, Delegation, Station
from ..lookups import delegations_by_id
from .values import is_mobile, normalize_phone
from .words import strip_endings, text_key, text_keys


class Registry:
    """Delegations, stations and current delegates (retired delegates are left out)."""

    def __init__(self) -> None:
        self.delegations = delegations_by_id()
        self.delegation_by_key: dict[str, int] = {}
        short: dict[str, set[int]] = defaultdict(set)
        for d in self.delegations.values():
            self.delegation_by_key[text_key(d.name)] = d.id
            self.delegation_by_key.setdefault(text_key(d.code), d.id)
            name_key = text_key(d.name)
            for candidate in (name_key.removeprefix("兰州市"), name_key[:-1]):
                if name_key.endswith(("区", "县")) and len(candidate) >= 2:
                    short[candidate].add(d.id)
        self.delegation_short = short

        self.stations = {s.id: s for s in db.session.scalars(sa.select(Station))}
        self.station_by_key: dict[tuple[int | None, str], Station] = {}
        for s in sorted(self.stations.values(), key=lambda s: (s.is_retired, s.id)):
            self.station_by_key.setdefault((s.delegation_id, text_key(s.name)), s)

        delegates = db.session.scalars(sa.select(Delegate).where(Delegate.retired_at.is_(None)))
        self.delegates: dict[int, Delegate] = {d.id: d for d in delegates}
        self.by_phone: dict[str, list[Delegate]] = defaultdict(list)
        self.by_name: dict[tuple[str, int], list[Delegate]] = defaultdict(list)
        for d in self.delegates.values():
            if d.phone:
                self.by_phone[normalize_phone(d.phone)].append(d)
            self.by_name[(d.name, d.delegation_id)].append(d)

    def find_delegation(self, text: str) -> tuple[Delegation | None, list[str]]:
        """The delegation a cell names, or None and the names it could have meant."""
        for key in text_keys(text):
            stripped = strip_endings(key, ("代表团",))
            for candidate in (key, stripped, stripped.removeprefix("兰州市")):
                if candidate in self.delegation_by_key:
                    return self.delegations[self.delegation_by_key[candidate]], []
                ids = self.delegation_short.get(candidate, set())
                if len(ids) == 1:
                    return self.delegations[next(iter(ids))], []
                if len(ids) > 1:
                    return None, sorted(self.delegations[i].name for i in ids)
        return None, []

    def find_station(self, delegation_id: int, name: str) -> Station | None:
        """The station of this name in the delegation, else a city-wide one of this name."""
        key = text_key(name)
        return self.station_by_key.get((delegation_id, key)) or self.station_by_key.get((None, key))

    def find_delegate(
        self, name: str, delegation_id: int, phone: str
    ) -> tuple[Delegate | None, str | None]:
        """The delegate on file a row stands for, or a problem. In this order: the phone
        number among delegates of the same name (a shared office landline is fine); the name
        within the delegation, when one delegate has it; a mobile number held by one delegate
        (the row renames them). None: the row is a new delegate."""
        if phone:
            same_name = [d for d in self.by_phone.get(phone, []) if d.name == name]
            if len(same_name) > 1:
                same_name = [d for d in same_name if d.delegation_id == delegation_id]
            if len(same_name) == 1:
                return same_name[0], None
        named = self.by_name.get((name, delegation_id), [])
        if len(named) == 1:
            return named[0], None
        if len(named) > 1:
            return None, _(
                "%(delegation)s有 %(n)s 位名叫%(name)s的代表，请填写各自的联系电话以区分。",
                delegation=self.delegation_name(delegation_id),
                n=len(named),
                name=name,
            )
        if phone and is_mobile(phone):
            holders = self.by_phone.get(phone, [])
            if len(holders) == 1:
                return holders[0], None
        return None, None

    def delegation_name(self, delegation_id: int | None) -> str:
        """The name of a delegation, or '—' for none."""
        d = self.delegations.get(delegation_id) if delegation_id else None
        return d.name if d else "—"

    def station_name(self, station_id: int | None) -> str:
        """The name of a station, or '—' for none."""
        s = self.stations.get(station_id) if station_id else None
        return s.name if s else "—"
