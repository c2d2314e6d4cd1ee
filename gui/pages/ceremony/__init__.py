"""The ceremony view: steps on the left, the current step large in the middle, the journal
and its chain head always in sight.

The ceremony runs on a worker ``QThread``. Its questions arrive as queued signals (see
``gui.prompter``) and are shown as panels; the worker waits until the panel is answered, the
window never does. While the worker works between questions a busy indicator says on what.
The journal is read as the worker writes it, so what the room sees is what was recorded.

- ``layout``: the view's widgets and how they share the room (side panels, presentation mode,
  the paper-log moment that covers the whole view, the step list);
- ``questions``: the panel for each question the runner asks;
- ``view``: running the job, answering its questions and following its journal.
"""

from gui.pages.ceremony.view import CeremonyView

__all__ = ["CeremonyView"]
