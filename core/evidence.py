"""What the records say about *when*: the dataset's rules for unknown dates and unheld events.

DESIGN.md, "The dataset": an empty ``joined`` is *unknown*, not "since forever". A partner
whose join date is unknown counts from the first evidence that it was a partner — an optional
``first_seen`` column, its first dated committee seat (``since``), or its first attendance at a
held, dated event, whichever is earliest. A partner with no dated evidence at all counts from
the latest dated fact of the whole dataset (the roster lists it, so it was a partner when the
roster was last brought up to date, which is no earlier than that fact), or from the day before
its ``left`` date when that is earlier. Before the first dated fact nobody is counted.

An event whose optional ``status`` says planned or cancelled is never held, whatever its date.
A partner without a country is unknown in every geographic dimension (:data:`GEOGRAPHIC`).

These rules live on the ground floor because the analysis and both stores apply them.
"""

from __future__ import annotations

import pandas as pd

from core.model import Dataset

__all__ = [
    "FIRST_SEEN",
    "GEOGRAPHIC",
    "NOT_HELD",
    "START_BASES",
    "not_held_mask",
    "partner_starts",
    "unknown_place",
]

#: Values of the optional events ``status`` column that mean "not held" (case-insensitive).
NOT_HELD: frozenset[str] = frozenset({"planned", "cancelled", "canceled"})
#: The optional partners column that dates the first evidence of an undated partner.
FIRST_SEEN = "first_seen"
#: Where a partner's ``counted_from`` came from, in order of preference on a tie.
START_BASES: tuple[str, ...] = (
    "joined",
    "first_seen",
    "membership",
    "attendance",
    "roster",
    "left",
)


#: Partner columns that follow from the country: all unknown when the country is.
GEOGRAPHIC: tuple[str, ...] = ("country", "country_name", "region", "subregion", "global_south")


def unknown_place(partners: pd.DataFrame) -> pd.Series:
    """Rows of ``partners`` without a country (their geographic values are unknown)."""
    country = partners["country"]
    return country.isna() | (country.astype(str).str.strip() == "")


def _dates(values: pd.Series) -> pd.Series:
    """An optional date column kept as text (``YYYY-MM`` = the 1st); ``NaT`` where not a date."""
    text = values.map(lambda v: v if isinstance(v, str) else "").str.strip()
    return pd.to_datetime(text.where(text != ""), errors="coerce", format="ISO8601")


def not_held_mask(events: pd.DataFrame) -> pd.Series:
    """Events whose optional ``status`` says planned or cancelled: never held, whatever the date."""
    if "status" not in events.columns:
        return pd.Series(False, index=events.index)
    status = events["status"].map(lambda v: v.strip().casefold() if isinstance(v, str) else "")
    return status.isin(NOT_HELD)


def _evidence(ds: Dataset) -> pd.DataFrame:
    """``[partner_id, date, basis]``: every dated fact that shows a partner was a partner."""
    frames = [
        pd.DataFrame(
            {
                "partner_id": ds.partners["partner_id"],
                "date": ds.partners["joined"],
                "basis": "joined",
            }
        )
    ]
    if FIRST_SEEN in ds.partners.columns:
        frames.append(
            pd.DataFrame(
                {
                    "partner_id": ds.partners["partner_id"],
                    "date": _dates(ds.partners[FIRST_SEEN]),
                    "basis": "first_seen",
                }
            )
        )
    seats = ds.memberships
    frames.append(
        pd.DataFrame(
            {"partner_id": seats["partner_id"], "date": seats["since"], "basis": "membership"}
        )
    )
    events = ds.events.loc[ds.events["date"].notna() & ~not_held_mask(ds.events)]
    dates = events.set_index("event_id")["date"]
    attended = ds.attendance["event_id"].map(dates)
    frames.append(
        pd.DataFrame(
            {"partner_id": ds.attendance["partner_id"], "date": attended, "basis": "attendance"}
        )
    )
    out = pd.concat(frames, ignore_index=True)
    return out.loc[out["date"].notna()].astype({"date": "datetime64[ns]"})


def partner_starts(ds: Dataset) -> pd.DataFrame:
    """From which day each partner is counted: ``[partner_id, counted_from, basis, left]``.

    ``basis`` says why: ``joined`` (its own date), ``first_seen``, ``membership`` or
    ``attendance`` (its first dated evidence, for an empty ``joined``), ``roster`` (no evidence of
    its own: counted from the latest dated fact of the dataset), ``left`` (no evidence, left before
    that: counted from the day before it left) or ``undated`` (the dataset has no dated fact at
    all: counted on every day, ``counted_from`` is ``NaT``). Computed once per dataset.

    >>> import pandas as pd
    >>> ds = Dataset.from_frames(
    ...     partners=pd.DataFrame({"partner_id": ["a", "b", "c"], "name": ["A", "B", "C"],
    ...         "sector": ["X"] * 3, "country": [""] * 3, "joined": ["2016-09-28", None, None]}),
    ...     memberships=pd.DataFrame({"committee_id": ["k"], "partner_id": ["b"],
    ...         "since": ["2018-01-01"]}))
    >>> starts = partner_starts(ds)
    >>> for r in starts.itertuples():
    ...     print(r.partner_id, r.counted_from.date(), r.basis)
    a 2016-09-28 joined
    b 2018-01-01 membership
    c 2018-01-01 roster
    """
    cached = ds._cache.get("partner_starts")
    if isinstance(cached, pd.DataFrame):
        return cached
    facts = _evidence(ds)
    rank = {b: i for i, b in enumerate(START_BASES)}
    facts = facts.assign(_r=facts["basis"].map(rank))
    first = (
        facts.sort_values(["partner_id", "date", "_r"], kind="mergesort")
        .drop_duplicates("partner_id")
        .set_index("partner_id")
    )
    partners = ds.partners.set_index("partner_id")
    counted = partners["joined"].copy()
    basis = pd.Series("joined", index=partners.index, dtype=object)
    unknown = counted.isna()
    counted[unknown] = first["date"].reindex(counted.index)[unknown]
    basis[unknown] = first["basis"].reindex(counted.index)[unknown]
    # No evidence of its own: the roster is the evidence, dated by the latest fact it holds.
    roster = facts["date"].max() if len(facts) else pd.NaT
    bare = counted.isna()
    counted[bare] = roster
    basis[bare] = "roster" if pd.notna(roster) else "undated"
    before = bare & partners["left"].notna() & (partners["left"] <= counted)
    counted[before] = partners["left"][before] - pd.Timedelta(days=1)
    basis[before] = "left"
    out = pd.DataFrame(
        {
            "partner_id": partners.index,
            "counted_from": counted.to_numpy(),
            "basis": basis.to_numpy(),
            "left": partners["left"].to_numpy(),
        }
    )
    ds._cache["partner_starts"] = out
    return out


