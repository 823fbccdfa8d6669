"""The floor the browser probe compares against: a bare Streamlit app with one slider and one 500-point Plotly chart."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Floor")
n = st.slider("Frequency", 1, 100, 10, key="floor_n")
x = np.linspace(0, 10, 500)
fig = go.Figure(go.Scatter(x=x, y=np.sin(x * n / 10), mode="lines"))
st.plotly_chart(fig, width="stretch", key="floor_chart")
