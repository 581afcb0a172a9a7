"""The pole's action plan: periods, orientations, objectives, actions, indicators."""
