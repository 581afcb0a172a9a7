"""The staff web app's engine: named operations, templates, the layout, the gate."""
