"""The PySide6 desktop app: a thin shell over the ceremony engine."""
