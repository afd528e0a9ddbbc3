"""Workflow pages of the console, each module a `build_router(settings)` (ohts.console.mount)."""
