"""The engine that runs a ceremony's steps: runner, context, prompts and the shared step actions."""
