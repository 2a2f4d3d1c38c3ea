"""The app's one door into experiments/: scenarios, runs, summaries and sweep stores.

The pages call experiments/ the same way the CLI does, through this module, so a change in the
experiments layer's names is absorbed here and nowhere else in viz/.
"""

from __future__ import annotations

# The regional plan: 50% of workers active by the end of 2025 (facts.md, Kanwil 2 Aug 2024).
TARGET = 0.5
TARGET_MONTH = "2025-12"
