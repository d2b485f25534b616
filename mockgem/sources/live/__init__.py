"""Live API sessions answered by rules (`scripted`), recordings (`recorded`) or the upstream
(`upstream`, recorded by `recording`), behind one `Conversation` seam (`base`)."""
