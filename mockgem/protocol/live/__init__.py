"""The Live API (`BidiGenerateContent` over WebSocket) as values: no socket, no clock.

`messages` reads what a client sends, `setup` checks the first message, `turns` gathers client
messages into the turns a model answers, `frames` builds what the server sends, `closes` the
close codes and reasons the real service ends a session with.
"""
