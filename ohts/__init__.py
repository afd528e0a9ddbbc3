"""The `ohts` command: embedded runtime, service launcher, demo data and operator tools."""
