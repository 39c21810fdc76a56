"""The microgrants plugin of reentry: Grant rounds, applications, committee decisions and tranches.

Money moves by maker-checker (four eyes), the rules ``ctx.grants`` enforces:

* A tranche one finance officer records (``disburse``, a payment run) is *pending* until a
  second person confirms it (``confirm_tranche``; ``reentry grants confirm``), when its
  round asks for four eyes: on by default, ``four_eyes=False`` / ``--no-four-eyes`` per
  round, where the recorder's entry is confirmed as it is recorded.
* Only confirmed money counts: ``grants budget`` (``disbursed``; ``pending`` apart), the
  report's indicators, a grant completed. A grant's next tranche waits until its last
  one is confirmed; ``grants tranches --pending`` lists what waits.
* Who confirms, or reverses, a tranche: a finance officer or an admin (``grants.confirm``)
  who did not record it and took no part in deciding the grant: did not record a
  decision on it, vote on it, declare or record a conflict of interest on it, or enter a
  tally sheet naming it. The one who recorded the approval never records its tranches.
* A wrong tranche is reversed (``reverse_tranche``; ``reentry grants reverse``) by an
  audited counter-entry, never deleted nor changed; its number is never used again and
  the part may be paid again as a new tranche. A tranche of a completed grant stands.
* A part of the plan marked ``verified`` needs a verified visit since the last release;
  it waits a number of days after that visit only when the round says so
  (``visit_wait_days``; ``grants round payment-rules ROUND --visit-wait DAYS``).
"""

__version__ = "0.1.0"
