"""Per-province pseudonyms of the `uic` column (participants.uic, README "Exchange files").

An export writes, on each row, the person's pseudonym for the province whose record the row
belongs to (an officer's and a peer leader's rows are all of their province).

An import reads a pseudonym back only where that is no side door:
- an officer: only a pseudonym of a person their province has a record of. At the first
  pseudonym of an import, the province's own pseudonyms of all its records are made once (the
  same work whatever the file holds); each cell is then one dictionary look-up. A pseudonym of
  another province, of an erased person, of someone the province does not know or a made-up
  one are all the same miss: one message, "not in your list", after the same steps;
- the server's command and a national administrator (who may see every province): under the key
  of the province the pseudonym names, whether or not the person is known, so a full export
  loads into an empty database with the same UIC_SECRET.
"""

from participants.uic import open_pseudonym, province_key, pseudonym, split_pseudonym
from sites.models import Province

UNIT_SET = Province.UnitSet.CURRENT


class Keys:
    """Each province's key, derived once, by province id or by GSO code (2025 provinces)."""

    def __init__(self):
        self._by_id = {}
        self._provinces = None

    def _load(self):
        if self._provinces is None:
            self._provinces = {
                pk: (unit_set, code)
                for pk, unit_set, code in Province.objects.values_list("pk", "unit_set", "code")
            }
            self._ids_by_code = {
                code: pk
                for pk, (unit_set, code) in self._provinces.items()
                if unit_set == str(UNIT_SET)
            }

    def by_id(self, province_id):
        key = self._by_id.get(province_id)
        if key is None:
            self._load()
            unit_set, code = self._provinces[province_id]
            key = self._by_id[province_id] = (province_key(f"{unit_set}:{code}"), code)
        return key

    def by_code(self, code):
        self._load()
        province_id = self._ids_by_code.get(code)
        return None if province_id is None else self.by_id(province_id)


class Pseudonymizer:
    """The export side: pseudonym(participant record), memoised (contacts and referrals name
    the same people again and again)."""

    def __init__(self):
        self.keys = Keys()
        self._made = {}

    def __call__(self, digest, province_id):
        made = self._made.get((digest, province_id))
        if made is None:
            key, code = self.keys.by_id(province_id)
            made = self._made[(digest, province_id)] = pseudonym(digest, key, code)
        return made

    def of(self, participant):
        return self(participant.person.uic_hash, participant.province_id)


class Resolver:
    """The import side: the stored hash a pseudonym names, or None (see the module's text).
    `province_id`: the officer's province (None: a national importer). `known`: a callable
    returning the hashes of the importer's records, called once, at the first pseudonym."""

    def __init__(self, *, province_id, known):
        self.keys = Keys()
        self.province_id = province_id
        self._known_source = known
        self._table = None

    def __call__(self, value):
        if self.province_id is not None:
            if self._table is None:
                key, code = self.keys.by_id(self.province_id)
                self._table = {pseudonym(d, key, code): d for d in self._known_source()}
            return self._table.get(value)
        parts = split_pseudonym(value)
        if parts is None:
            return None
        code, sealed = parts
        found = self.keys.by_code(code)
        return None if found is None else open_pseudonym(sealed, found[0])
