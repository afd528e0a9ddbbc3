"""The platform kit: the only code all four services share besides `contracts`.

Event store, outbox relay, idempotent consumer, settings, logging, auth and the HTTP shell.
"""
