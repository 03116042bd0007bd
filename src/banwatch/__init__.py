"""banwatch: comply with bans on foreign-adversary technology and with sanctions lists.

    >>> from banwatch import decide, Transaction
    >>> decide(Transaction(type="resale", date="2024-10-01",
    ...                    product="Kaspersky Total Security", buyer_country="US")).outcome
    <Outcome.prohibited: 'prohibited'>
"""

from banwatch.catalog import load_catalog
from banwatch.context import Context
from banwatch.library import decide, screen
from banwatch.model import Decision, Measure, Outcome, ScreeningHit, Transaction, TransactionType
from banwatch.settings import Settings

__version__ = "0.1.0"
__all__ = ["Context", "Decision", "Measure", "Outcome", "ScreeningHit", "Settings", "Transaction",
           "TransactionType", "decide", "load_catalog", "screen"]
