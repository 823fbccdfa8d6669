"""Scenarios: how a change in GPU costs reaches people, through fees, ads or quality."""

import streamlit as st

from dashboard import passthrough

st.title("Cost pass-through scenarios")
st.caption("If the cost of GPU compute changes, how much of it reaches people, and through which channel?")
result = passthrough.simulate(passthrough.default_assumptions(), passthrough.default_scenario())
st.metric("Pass-through rate (default market)", f"{result.rho:.2f}")
