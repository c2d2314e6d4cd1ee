"""The ceremony plan: its values, the strict TOML parser, and the checks made without a token."""
