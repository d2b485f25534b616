"""Wire shapes of the Gemini, Vertex AI and OpenAI-compatible APIs (no I/O)."""
