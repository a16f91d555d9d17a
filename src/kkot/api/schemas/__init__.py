"""Pydantic (ninja Schema) request and response shapes of the API, one module per domain."""
