"""The Solara browser app (viz/app.py). Calls experiments/ the way the CLI does; never imported
by model/ or experiments/."""
