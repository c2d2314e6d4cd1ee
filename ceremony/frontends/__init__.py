"""Front ends that answer the engine's prompts: the terminal, and scripted answers."""
