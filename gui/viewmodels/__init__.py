"""Qt-free view logic: what each screen shows and how it reacts, as plain objects.

The Qt widgets in ``gui.widgets`` and ``gui.pages`` are thin shells over these, so the logic is
tested without a display. Nothing in this package imports Qt (a test asserts it).
"""
