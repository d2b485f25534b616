"""Pure translation between the OpenAI-compatible surface and Gemini's own JSON (no I/O)."""
