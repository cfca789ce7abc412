"""The standard conditions of every grant agreement. The award's own particulars (amounts, dates, places, payments
and reporting) are added to these when the agreement is shown and kept with the acceptance.

Change ``TERMS_VERSION`` whenever the wording changes: acceptances record the version and the text they accepted.
"""

TERMS_VERSION = "2026-1"

STANDARD_CONDITIONS: tuple[tuple[str, str], ...] = (
    (
        "Use of the grant",
        "You will use the grant only for the service described in this agreement, in the places and over the "
        "period it sets out. You will ask us before making any significant change to the service.",
    ),
    (
        "Payments",
        "We pay the grant in the instalments set out in the payment schedule, in advance of each quarter, once you "
        "have accepted this agreement. We may hold back an instalment while a monitoring return is overdue.",
    ),
    (
        "Monitoring and reporting",
        "You will send a monitoring return for each reporting period by its due date, with your spending, the people "
        "you helped, progress against the measures we agree, and any risks or issues. You will tell us promptly of "
        "anything that seriously affects the service.",
    ),
    (
        "Records and audit",
        "You will keep proper financial records of how the grant is spent for six years after the award ends, and "
        "let us, or auditors acting for us, see them when we ask.",
    ),
    (
        "Unspent money",
        "Money not spent on the service by the end of the award, or spent on anything else, must be repaid to us "
        "if we ask for it.",
    ),
    (
        "Safeguarding",
        "You will have, and follow, safeguarding policies suited to the people you work with, and carry out the "
        "vetting checks the law requires for staff and volunteers.",
    ),
    (
        "Equality and data protection",
        "You will meet your duties under the Equality Act 2010 and data protection law, and share personal data "
        "with us only where this agreement or the law requires it.",
    ),
    (
        "Publicity and open data",
        "We publish the details of every award, including its amount, dates and performance ratings, as open data. "
        "You will acknowledge the Mayor's Office for Policing and Crime's funding in your publicity about the "
        "service.",
    ),
    (
        "Changes to the award",
        "Any change to the award's amounts or dates is made only by a variation agreed and approved by us in "
        "writing. We will tell you the reason for any change we make.",
    ),
    (
        "Ending the award",
        "We may end the award early if the service is not delivered, the grant is misused, or you break these "
        "conditions. We will first tell you why and give you a reasonable chance to put things right.",
    ),
)
