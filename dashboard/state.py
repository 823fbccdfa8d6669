"""URL state: widgets bind to query parameters; values the URL gets wrong are ignored with a notice.

Notices quote URL parameter names and values, which anyone can write into a link: they are shown as
plain text (st.text), never inside markdown, so a crafted link cannot add links or images to the page.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

_SNAPSHOT = "_url_at_start"
_NOTICES = "_url_notices"
# Parameters that are not widgets but are still part of a view's URL (e.g. pinned scenario inputs).
EXTRA_PARAMS_KEY = "_url_extra_params"


def begin() -> None:
    """Remember the URL's parameters before any widget reads them (call once per run, first)."""
    st.session_state[_SNAPSHOT] = {k: st.query_params.get_all(k) for k in st.query_params}
    st.session_state[_NOTICES] = []
    st.session_state[EXTRA_PARAMS_KEY] = set()


def allow(*names: str) -> None:
    """Declare non-widget URL parameters a page reads itself, so they are not reported as unknown."""
    st.session_state.setdefault(EXTRA_PARAMS_KEY, set()).update(names)


def notice(message: str) -> None:
    """A plain-text notice (it may quote URL input: it is never rendered as markdown)."""
    st.session_state.setdefault(_NOTICES, []).append(message)


def _serialise(value) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, list | tuple | set):
        return sorted(s for v in value for s in _serialise(v))
    if isinstance(value, dt.date):
        return [value.isoformat()]
    if isinstance(value, float) and value.is_integer():
        return [str(int(value)), str(value)]
    return [str(value)]


def _same(raw: list[str], value) -> bool:
    if isinstance(value, list | tuple | set):
        return sorted(raw) == _serialise(value)
    candidates = _serialise(value)
    return len(raw) == 1 and (raw[0] in candidates or raw[0].lower() in candidates)


def finish(slot) -> None:
    """After the page ran: report URL parameters that were ignored (invalid value or unknown name)."""
    at_start = st.session_state.get(_SNAPSHOT, {})
    extra = st.session_state.get(EXTRA_PARAMS_KEY, set())
    messages = list(st.session_state.get(_NOTICES, []))
    for key, raw in at_start.items():
        if key in extra:
            continue
        if key not in st.session_state:
            messages.append(f"Ignored unknown URL parameter: {key}")
            if key in st.query_params:
                del st.query_params[key]
            continue
        if not _same(raw, st.session_state[key]):
            shown = ",".join(raw)
            value = st.session_state[key]
            if value is None:
                used = ""
            elif isinstance(value, list | tuple | set):
                used = ", ".join(_serialise(value))
            else:
                used = _serialise(value)[0]
            messages.append(f"Ignored URL value {key}={shown} (not a valid choice); using "
                            f"{used or 'the default'} instead.")
    if messages:
        with slot.container():
            st.warning("Parts of this link were ignored (details below, as written in the link).",
                       icon=":material/link_off:")
            st.text("\n".join(dict.fromkeys(messages)))
