"""A file picker for scenario files: the browser reads the chosen file and sends its bytes.

Solara's FileDrop accepts only drag and drop; planners also need a "choose file" button (and the
browser tests need an <input type=file> to set). The browser sends no content for a file over
the size limit, and Python checks the size again (viz/backend.py parse_upload).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Callable, Optional

import solara


@solara.component_vue(str(Path(__file__).with_name("file_input.vue")))
def _FileInput(label: str, max_bytes: int, event_upload: Optional[Callable[[dict], None]] = None):
    pass


@solara.component
def FileInput(label: str, max_bytes: int, on_file: Callable[[str, Optional[bytes], int], None]):
    """on_file(name, content or None when over max_bytes, size in bytes)."""

    def received(message: dict) -> None:
        data = message.get("data")
        on_file(message.get("name") or "upload.toml",
                None if data is None else base64.b64decode(data), int(message.get("size") or 0))

    _FileInput(label=label, max_bytes=max_bytes, event_upload=received)
