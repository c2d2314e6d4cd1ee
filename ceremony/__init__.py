"""Ceremonies people run: plans, runner, journal, transcript, verify, inventory and the CLI.

Built on ``crypto``; never imports Qt.
"""
