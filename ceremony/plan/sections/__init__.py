"""Reading each table of a plan, one reader per table, grouped by family: the key and its
keepers (``keys``), and what an existing CA issues (``issuing``).

``SectionReader`` holds every reader; ``ceremony.plan.parser`` decides which tables a ceremony
type uses and assembles the plan. Every problem goes to the shared ``problems`` list, named by
its key path.
"""

from ceremony.plan.sections.issuing import SectionReader

__all__ = ["SectionReader"]
