"""Subject lines that automatic mail starts with: auto-replies, bounces, delay warnings,
read and delivery receipts, calendar responses; the "Re:"/"Fwd:" prefixes of members'
mail clients; and the tags a mail gateway puts in front of a subject.

Also words(), the pattern builder the subject and body tables (mailbot.loops.bodies)
share.
"""

from __future__ import annotations

import re


def words(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Subject patterns are anchored: clients put "Automatic reply:" or "Undeliverable:" at the
# start (or "(Automatic Response)" at the end), while members write "Out of office hours
# noise" or "Undelivered council tax letters" in the middle of real enquiries.
# A separator, not a hyphen inside a word: "Out of Office - Cllr Bloggs" ends the phrase,
# "Auto-enrolment" and "Away-day" do not.
# Welsh councils' bilingual subjects put a slash between the languages ("Allan o'r Swyddfa /
# Out of Office").
_END = r"(?:\s*[:：(/]|\s+[-–](?:\s|$)|\s*$)"
# Bounce subjects are followed by ':', '(' or nothing: "Delivery failure - recycling
# boxes" and "Returned mail - residents say post goes astray" are members' subjects.
_REPORT_END = r"(?:\s*[:：(]|\s*$)"
AUTO_REPLY_SUBJECT = words(
    # No "Re:" before it: "Re: Automatic reply: ..." is a person answering an out-of-office.
    # Topics a member also starts a subject with ("Annual leave cover", "Vacation rentals",
    # "Away day") are left to the body patterns.
    r"^\s*(?:automatic reply|auto[- ]?reply|autoreply|auto[- ]?respon(?:se|der|s)"
    # Exchange 2003/2007 and Outlook 2003 wrote "Out of Office AutoReply:"
    r"|out of (?:the )?office(?: auto[- ]?reply)?|out-of-office|ooo|absence notification"
    r"|vacation reply"
    r"|away message"
    r"|ateb awtomatig|ymateb awtomatig|allan o'?r swyddfa"
    r"|r[ée]ponse automatique|absent(?:e)? du bureau|absence du bureau"
    r"|abwesenheitsnotiz|automatische antwort|abwesend|nicht im büro"
    r"|respuesta autom[áa]tica|fuera de la oficina|ausente"
    r"|automatisch antwoord|afwezigheidsbericht|niet op kantoor|afwezig"
    # Outlook's "Automatic reply:" in the other languages of councillors' own mailboxes
    # (the prefix follows the mailbox's language, not the council's)
    r"|odpowied[źz] automatyczna|resposta autom[áa]tica|risposta automatica|r[ăa]spuns automat"
    r"|automatinis atsakymas|autom[āa]tisk[āa] atbilde|automaatvastus|automatiskt svar"
    r"|automatisk svar|automaattinen vastaus|automatick[áa] odpov[ěe][ďd]"
    r"|automatick[áa] odpove[ďd]|automatikus v[áa]lasz|otomatik yan[ıi]t|automatski odgovor"
    r"|samodejni odgovor|αυτόματη απάντηση|автоматический ответ|автоматична відповідь"
    r"|автоматичен отговор|freagra uathoibr[íi]och|tr[ảa] l[ờo]i t[ựu] đ[ộo]ng"
    r"|resposta autom[àa]tica|rispost[ae] automatic[ah]e?|خودکار جواب|خودکار جوابی پیغام"
    r"|رد تلقائي|الرد التلقائي|תשובה אוטומטית|स्वचालित उत्तर|स्वचालित जवाब"
    r"|ਸਵੈਚਾਲਤ ਜਵਾਬ|ਸਵੈਚਲਿਤ ਜਵਾਬ|স্বয়ংক্রিয় উত্তর|স্বয়ংক্রিয় জবাব|સ્વયંસંચાલિત જવાબ"
    r"|自动回复|自動回覆|自動回復|自動応答|자동 회신|자동 응답)" + _END,
    r"\((?:automatic (?:reply|response)|auto[- ]?reply|out of (?:the )?office"
    r"|ateb awtomatig|r[ée]ponse automatique|automatische antwort|respuesta autom[áa]tica"
    r"|automatisch antwoord)\)\s*$",
    r"^\s*auto\s*:",  # "Auto: I'm on leave"
    r"^\s*(?:i am|i'm) (?:away|out of (?:the )?office)\b", r"^\s*away until\b",
    r"^\s*[^:]{0,60} is out of the office\b",
)
# Ticket systems and council CRMs confirming receipt: no member writes these to us.
SERVICE_RECEIPT_SUBJECT = words(
    r"^\s*your (?:call |case |ticket |enquiry |)?reference (?:number |no\.? )?is:?\s*\S*\d",
    r"^\s*your (?:[\w'-]+ ){1,5}(?:has been|was|is) (?:received|logged|created|registered)\b",
    # ServiceNow's "Incident INC0012345 -- opened on your behalf"
    r"^\s*(?:incident|request|ticket|case|call)\s+\S*\d\S*\s+(?:--?\s*|[-–]\s*)?"
    r"(?:has been\s+)?(?:opened|logged|created|raised)\s+on your behalf\b",
)

BOUNCE_SUBJECT = words(
    r"^\s*(?:undeliver(?:ed|able)(?: mail)?|delivery status notification"
    r"|mail delivery (?:failed|failure|subsystem|system)|returned mail|failure notice"
    r"|delivery (?:has )?failed|delivery failure|message delivery failure"
    r"|non[- ]?deliver(?:y|able)(?: notification| report)?"
    r"|mail system error"
    r"|non remis|unzustellbar|nicht zustellbar|onbestelbaar|no se puede entregar"
    r"|non recapitabile|methu danfon)" + _REPORT_END,
    r"^\s*undelivered mail returned to sender\b", r"^\s*message delivery has failed\b",
    r"^\s*complaint about message from \S*\d",  # a feedback loop names the sending IP
    r"^\s*(?:e-?mail )?abuse report" + _REPORT_END,
    r"^\s*\*\*message you sent blocked\b",
)

# A delivery report that is a warning, not a failure: the mail is still being retried
# and will probably arrive, so it must not count as a bounce (which reassigns a case).
DELAY_SUBJECT = words(
    r"^\s*delayed mail\b", r"^\s*warning: message .{0,80} delayed\b",
    r"^\s*delivery status notification \(delay\)",
    r"^\s*warning: could not send message for past\b",  # sendmail
)
# Exchange's delay notice; only trusted on mail already known to be a delivery report,
# since "Delivery delayed: garden waste bins" is a member's subject too.
REPORT_DELAY_SUBJECT = words(r"^\s*delivery delayed\s*:")

RECEIPT_SUBJECT = words(
    r"^\s*read:",
    r"^\s*read receipt(?: for)?" + _END,  # not "Read receipt request - complaint"
    r"^\s*return receipt(?: for)?" + _END,
    r"^\s*gelesen:",
    r"^\s*lu\s?:",
    r"^\s*leído:",
    r"^\s*gelezen:",
    r"^\s*not read:",
    r"^\s*darllenwyd:",
    r"^\s*delivered:",
    r"^\s*zugestellt:",
    r"^\s*remis\s?:",
    r"^\s*entregado:",
    # Outlook's message recall ("Rückruf:" in German Outlook), counted with an empty body or
    # a receipt's: the recall item carries no words of its own through Exchange's MIME.
    r"^\s*recall:",
    r"^\s*rückruf:",
)
# Exchange's own notices, in words no member starts a subject with: no body shape needed.
EXCHANGE_RECEIPT_SUBJECT = words(
    r"^\s*relayed:",  # delivered onward, no receipt from the far end
    r"^\s*expanded:",  # a distribution list was expanded
    r"^\s*message recall (?:success|failure|report)\b",
)
EXCHANGE_CALENDAR_SUBJECT = words(
    r"^\s*meeting forward notification:", r"^\s*new time proposed:"
)

CALENDAR_SUBJECT = words(
    r"^\s*(?:accepted|declined|tentative|tentatively accepted|canceled|cancelled):",
    r"^\s*(?:updated )?invitation:",

    r"^\s*(?:angenommen|abgelehnt|mit vorbehalt angenommen|einladung):",
    r"^\s*(?:accepté|refusé|provisoire|invitation)\s?:",
    r"^\s*(?:aceptado|rechazado|provisional|invitación):",
    r"^\s*(?:geaccepteerd|geweigerd|voorlopig|uitnodiging):",
    r"^\s*(?:derbyniwyd|gwrthodwyd|gwahoddiad):",
)

# "FW:" and "Fwd:" in the languages of members' mail clients (Welsh Outlook: "Ymlaen:").
FORWARD_SUBJECT = re.compile(r"^\s*(?:fw|fwd|wg|tr|rv|pd|ymlaen|yml)\s*:", re.IGNORECASE)
# "Re:" and "Fwd:" in the languages of mail clients members use (Welsh Outlook: "Ateb:").
REPLY_OR_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:re|aw|sv|vs|odp|antw|rif|r|ynt|ateb|atb|fw|fwd|wg|tr|rv|ymlaen|pd|pd)\s*:", re.I
)

# Tags a mail gateway puts in front of the subject of mail from outside the organisation
# ("[EXTERNAL] Automatic reply: ...", Welsh "[ALLANOL]"): the subject rules are anchored at
# the start, so they read the subject without them.
GATEWAY_TAG = re.compile(
    r"^\s*(?:\[\s*(?:external|ext|extern|externe?|external (?:e-?mail|sender|message)"
    r"|allanol|caution[^\]]{0,40}|warning[^\]]{0,40})\s*\]"
    r"|\*{1,3}\s*external(?:\s+(?:e-?mail|sender|message))?\s*\*{1,3}"
    r"|\(\s*external\s*\)|external(?:\s+(?:e-?mail|sender|message))?\s*:"
    r"|caution\s*:\s*external\s+(?:e-?mail|sender|message)\s*[-:]?)\s*",
    re.IGNORECASE,
)


def is_reply_subject(subject: str) -> bool:
    """The subject starts with a reply's prefix ("RE:", Welsh "Ateb:"), not a forward's
    ("RE: FW: ..." is a reply in a forward's thread)."""
    subject = without_gateway_tags(subject or "")
    return bool(REPLY_OR_FORWARD_SUBJECT.match(subject)) and not FORWARD_SUBJECT.match(subject)


def without_gateway_tags(subject: str) -> str:
    previous = None
    while previous != subject:
        previous, subject = subject, GATEWAY_TAG.sub("", subject, count=1)
    return subject
