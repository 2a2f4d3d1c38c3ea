"""The app's pages: compare (scenarios side by side), explore (one live run), sweeps."""
