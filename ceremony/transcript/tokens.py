"""The transcript's section on token capability checks: what each token was asked to do,
whether it could, and how (from the journal's ``token-checked`` records)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, Paragraph

from ceremony.journal import Event, JournalRecord
from ceremony.transcript.layout import fields, paragraph, styles, table, when
from ceremony.transcript.sections import of, text


def token_checks(records: Sequence[JournalRecord]) -> list[Flowable]:
    """One block per check: the token's URI, the mechanisms chosen, and a row per need."""
    checks = of(records, Event.TOKEN_CHECKED)
    if not checks:
        return []
    style = styles()
    story: list[Flowable] = [Paragraph("Token capability checks", style["h2"])]
    for record in checks:
        data = record.data
        story.append(fields([
            ("Token", data.get("uri")),
            ("Checked", when(record.time)),
            ("Result", "every need met" if data.get("ok") else "REFUSED"),
            ("Mechanisms listed", data.get("mechanism_count")),
            ("RFC 5649 wrap / unwrap", f"{text(data.get('wrap_mechanism') or '-')} / "
                                       f"{text(data.get('unwrap_mechanism') or '-')}"),
        ]))
        rows = [[c.get("need"), c.get("subject"), "yes" if c.get("ok") else "NO",
                 text(c.get("how")) + (f"\n{text(c.get('problem'))}" if c.get("problem")
                                       else "")]
                for c in data.get("capabilities") or [] if isinstance(c, dict)]
        story.append(table(["Need", "Of", "Can", "How (or why not)"], rows,
                           [0.12, 0.2, 0.08, 0.6]))
        notes = [text(n) for n in data.get("notes") or []]
        if notes:
            story.append(paragraph("Known-answer tests: " + "; ".join(notes), "body"))
    return story
