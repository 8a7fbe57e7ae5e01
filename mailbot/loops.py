"""Automatic-mail detection and the headers that mark our own mail.

Headers decide first (RFC 3834 Auto-Submitted, Precedence, list headers, DSN/MDN report
types, calendar parts); subject and body patterns in English, Welsh and the other
languages councillors' and officers' mailboxes are set to catch the clients that send
none of those. Body patterns read only the sender's own words (mailbot.quoting), never
the mail they quote or forward. The rules are a table, checked in order; the first match
wins and its name is the recorded reason.

Mail that came through the council's own list relay is first read as its sender sent
it (mailbot.own_relay); the upstream spam filter's verdict is mailbot.spam.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from mailbot.model import Automatic, ParsedMessage
from mailbot.quoting import cut_signature, own_text

LOOP_HEADER = "X-Mailbot-Loop"


@dataclass(frozen=True)
class Verdict:
    automatic: Automatic
    reason: str


def outgoing_headers(instance: str) -> dict[str, str]:
    """Headers on everything we send, so other robots stay quiet and we know our own mail."""
    return {
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "Precedence": "auto_reply",
        LOOP_HEADER: instance,
    }


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Subject patterns are anchored: clients put "Automatic reply:" or "Undeliverable:" at the
# start (or "(Automatic Response)" at the end), while members write "Out of office hours
# noise" or "Undelivered council tax letters" in the middle of real enquiries.
# A separator, not a hyphen inside a word: "Out of Office - Cllr Bloggs" ends the phrase,
# "Auto-enrolment" and "Away-day" do not.
_END = r"(?:\s*[:：(]|\s+[-–](?:\s|$)|\s*$)"
# Bounce subjects are followed by ':', '(' or nothing: "Delivery failure - recycling
# boxes" and "Returned mail - residents say post goes astray" are members' subjects.
_REPORT_END = r"(?:\s*[:：(]|\s*$)"
AUTO_REPLY_SUBJECT = _words(
    # No "Re:" before it: "Re: Automatic reply: ..." is a person answering an out-of-office.
    # Topics a member also starts a subject with ("Annual leave cover", "Vacation rentals",
    # "Away day") are left to the body patterns.
    r"^\s*(?:automatic reply|auto[- ]?reply|autoreply|auto[- ]?respon(?:se|der|s)"
    r"|out of (?:the )?office|out-of-office|ooo|absence notification|vacation reply"
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
    # Ticket systems and council CRMs confirming receipt: no member writes these to us.
    r"^\s*your (?:call |case |ticket |enquiry |)?reference (?:number |no\.? )?is:?\s*\S*\d",
    r"^\s*your (?:[\w'-]+ ){1,5}(?:has been|was|is) (?:received|logged|created|registered)\b",
)

AUTO_REPLY_BODY = _words(
    r"\bthis is an automatic(?:ally generated)? (?:reply|response|message)\b",
    r"\bthis is an auto[- ]?(?:reply|response|responder)\b",
    r"\bi am (?:currently )?(?:out of the office|away from the office|on annual leave)\b",
    r"\bi'm (?:currently )?(?:out of the office|away from the office|on annual leave)\b",
    r"\bi will be out of (?:the )?office\b", r"\bi(?:'m| am) away\b.{0,40}\buntil\b",
    r"\bi(?:'ll| will) be (?:away|out|off)\b.{0,40}\buntil\b",
    r"\bi(?:'m| am) (?:currently )?away from (?:my desk|the office|work)\b",
    r"\bi(?:'m| am) (?:currently )?not in the office\b",
    r"\bi(?:'m| am) (?:currently )?on (?:maternity|paternity|parental|adoption|sick|study) leave\b",
    r"\b(?:respond|reply|get back to you)\b.{0,30}\b(?:on|upon|when) (?:my|i) return\b",
    # Staff who have left: their mailbox answers for them
    r"\bi (?:no longer work|am no longer working) (?:at|for|in|with)\b",
    # "I have now left Wiltshire Council." (not "I have left the council a voicemail")
    r"\bi have (?:now )?left (?:my (?:post|role|job|position) (?:at|with) )?(?:the )?"
    r"[\w' -]{0,40}\bcouncil\b(?: on [\w ]{1,20})?\s*(?:[.!;,]|$)",
    r"\bthis (?:mailbox|e-?mail address|inbox|account) is no longer (?:monitored|in use|active)\b",
    r"\bi(?:'m| am| will be) (?:currently )?(?:on (?:holiday|leave|annual leave|maternity leave"
    r"|paternity leave|parental leave|sick leave)|off (?:work|sick))\b.{0,80}"
    r"\b(?:until|till|til|back on|returning)\b",
    r"\bi (?:will )?(?:have|be with) (?:limited|no) access to (?:my )?e-?mail\b",
    r"\bdw i allan o'?r swyddfa\b", r"\brwyf allan o'?r swyddfa\b", r"\bateb awtomatig\b",
    # Welsh: "I am / I will be" + out of the office, away, on (annual) leave, absent
    r"\b(?:rydw i|rwyf i|rwyf|dw i|dwi|rwy'?n|rydw i'?n|byddaf|bydda i|byddaf i)\s+"
    r"(?:allan o'?r swyddfa|i ffwrdd|ar wyliau|ar absenoldeb|yn absennol|absennol)",
    r"\b(?:dydw i ddim|dw i ddim|dwi ddim|nid wyf|nid ydw i)\s+yn y swyddfa\b",
    r"\bje suis absent(?:e)?\b", r"\bje serai absent(?:e)?\b", r"\bréponse automatique\b",
    r"\bich bin (?:bis|vom|ab)\b.{0,60}\b(?:abwesend|nicht im büro|urlaub)\b",
    r"\bich bin (?:derzeit |zurzeit )?(?:abwesend|nicht im büro|im urlaub)\b",
    r"\bestoy fuera de la oficina\b", r"\bestaré fuera\b", r"\brespuesta automática\b",
    r"\bik ben (?:momenteel |tot )?.{0,40}\bafwezig\b", r"\bautomatisch antwoord\b",
    # Out-of-office sentences in the languages most spoken in UK councils after English
    # and Welsh; only the sender's own text is searched (see _subject_and_body).
    r"\b(?:jestem|b[ęe]d[ęe]) poza biurem\b", r"\bprzebywam na urlopie\b",
    r"\bestou (?:fora do escrit[óo]rio|de f[ée]rias|ausente)\b", r"\bsono fuori ufficio\b",
    r"\bsunt (?:[îi]n concediu|plecat[ăa]? din birou)\b", r"\besu i[šs]vyk[ęe](?:s|usi)\b",
    r"\bjsem mimo kancel[áa][řr]\b", r"\bh[áa]zon k[íi]v[üu]l vagyok\b",
    r"\bofis d[ıi][şs][ıi]nday[ıi]m\b", r"\bjag är (?:ledig|på semester|inte på kontoret)\b",
    r"دفتر سے باہر ہوں", r"خارج المكتب", r"ਦਫ਼?ਤਰ ਤੋਂ ਬਾਹਰ ਹਾਂ", r"অফিসের বাইরে আছি",
    r"不在办公室", r"不在辦公室",
)

# Receipts from ticket systems, CRMs and service mailboxes that send no Auto-Submitted
# header, and away-notes that officers also keep in their signatures ("I work part-time
# and will reply on ...", "we aim to respond within 10 working days"): read only above
# the sign-off, so a person's real reply with such a footer is still a reply. Not
# applied to a secure-message notice (Egress, Mimecast, Outlook encryption): a member's
# own message may be waiting behind it, and it says "do not reply" too.
SERVICE_RECEIPT_BODY = _words(
    r"\bi (?:work|am working) part[- ]time\b.{0,80}\b(?:respond|reply|get back)\b",
    r"\byour (?:e-?mail|message|enquiry|request) has been received\b",
    r"\bwe aim to (?:respond|reply)\b.{0,60}\bwithin \d+\b",
    r"\bthis is an? (?:automated|automatically generated|automatic) (?:e-?mail|message"
    r"|notification|acknowledge?ment|response|reply|receipt)\b",
    r"\bthis (?:e-?mail|message|notification) (?:was|has been|is) (?:sent |generated )?"
    r"automatically\b",
    r"\bplease do not reply to this (?:e-?mail|message)\b",
    r"\b(?:this|the) (?:mailbox|e-?mail address|inbox) is (?:not monitored|unmonitored)\b",
    r"\b(?:ticket|case|call|incident) (?:#|number |no\.? |reference )?[\w-]*\d[\w-]* has been "
    r"(?:created|logged|raised|opened)\b",
)
SECURE_MESSAGE = _words(
    r"\bsecure (?:e-?mail|message)\b", r"\bencrypted (?:e-?mail|message)\b",
    r"\bprotected (?:e-?mail|message)\b",
)

BOUNCE_SUBJECT = _words(
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

# Newsletters and bulletins sent without any list header.
BULK_BODY = _words(
    r"\bunsubscribe from (?:these|this|our|the) (?:e-?mails?|mailing list|list|newsletters?"
    r"|bulletins?|updates)\b",
    r"\bto stop receiving (?:these|this|our|the) (?:e-?mails?|newsletters?|bulletins?|updates)\b",
    r"\bclick (?:here )?to unsubscribe\b",
    r"\byou(?: are|'re) receiving this (?:e-?mail|newsletter|bulletin) because\b",
    # Bulletin services' own footers (GovDelivery, Mailchimp, dotdigital), for when the
    # list headers were stripped on the way (a gateway, a forwarding rule)
    r"\bstop subscriptions at any time\b", r"\bsubscriber preferences page\b",
    r"\b(?:update|manage|change) your (?:subscriptions?|e-?mail preferences)\b",
    r"\bthis (?:e-?mail|message|bulletin) was sent to \S+@\S+ (?:using|by|via|on behalf)\b",
)

# A mail filter's digest of what it held back (Proofpoint, Mimecast, Sophos, Barracuda):
# sent from a council address, often without any header that marks it automatic.
QUARANTINE_DIGEST = re.compile(
    "|".join(f"(?:{p})" for p in (
        r"\b(?:have|has) been (?:placed|held|put) in (?:your |the )?(?:personal )?quarantine\b",
        r"\b(?:have|has) been held for (?:review|your review)\b",
        r"\bheld messages? (?:digest|summary|report|notification)\b",
        r"^\s*(?:end user|quarantine|spam) digest\b",
    )),
    re.IGNORECASE | re.MULTILINE,
)

# A person who mentions being away and still asks for something done ("I'm out of the
# office next week, so could someone please make sure ...") is a member, not a robot. An
# auto-reply asks only to be contacted elsewhere or to resend, which these do not match.
_ACT = (
    r"(?:make sure|check|look (?:at|into)|arrange|investigate|chase|sort|fix|repair|ensure"
    r"|find out|pick (?:this|it) up|inspect|visit|deal with|cover|attend)"
)
ASKS_US_TO_ACT = _words(
    r"\b(?:could|can|would|will) (?:someone|somebody|you|an officer|officers|the team)"
    r"\s+(?:please\s+)?" + _ACT + r"\b",
    # Not a bare "please check / visit ...": service auto-replies say "please visit our
    # website"; a person asks someone to do it.
    r"\bplease (?:could|can|would) (?:you|someone) " + _ACT + r"\b",
    # Welsh "can/could/would you ...", unless it is "... contact / phone / resend"
    r"\b(?:a )?(?:allwch|allech|fyddech|wnewch) chi\s+(?:cystal\s+)?"
    r"(?!(?:â |a )?(?:gysylltu|chysylltu|ffonio|anfon|ail-?anfon))\w",
    r"\bgwnewch yn si[ŵw]r\b",
)

BOUNCE_BODY = _words(
    r"\bdelivery has failed to these recipients\b",
    r"\bthis is the mail system at host\b",
    r"\bthis message was created automatically by mail delivery\b",
    r"\bi'm sorry to have to inform you that your message could not\b",
    r"\bthe following address(?:es)? (?:had|failed)\b", r"\bpermanent fatal errors\b",
    r"\bdelivery to the following recipient(?:s)? failed\b",
    r"\byour message (?:wasn't|was not|couldn't be|could not be) delivered\b",
    r"\bthis is an (?:e-?mail )?abuse report\b", r"\bno such user here\b",
    r"\b(?:550|554|553) [-–] requested action not taken\b", r"\binvalid user address\b",
    r"\bdiagnostic-code:", r"\bstatus: 5\.\d+\.\d+\b", r"\bremote-mta:",
)

# What only a mail server writes: its report templates, RFC 3464 report fields, an SMTP
# reply with its enhanced status code ("550 5.1.1"). A delivery report sent under a
# person's address (their own server, a forwarding rule, a gateway that rewrites From)
# has no robot's sender, subject or reply headers, only these; so they count in new mail
# too, unless the text above them is a person asking about the report they pasted.
MTA_REPORT_BODY = re.compile(
    "|".join(f"(?:{p})" for p in (
        r"\bthis is the mail system at host\b",
        r"\bthis message was created automatically by mail delivery software\b",
        r"\bdelivery has failed to these recipients or groups\b",
        r"\bi'm sorry to have to inform you that your message could not\b",
        r"\bi'm not going to try again; this message has been in the queue\b",
        r"\bpermanent fatal errors\b", r"\btranscript of (?:the )?session follows\b",
        r"-{3,}\s*(?:failed addresses|message log) follows?\b",
        r"^\s*(?:diagnostic-code|remote-mta|reporting-mta|final-recipient)\s*:",
        r"^\s*status:\s*[45]\.\d{1,3}\.\d{1,3}\b",
        r"\b[45]\d\d[ -]#?[45]\.\d{1,3}\.\d{1,3}\b",
        r"\b5\d\d\s*[-–]?\s*requested action not taken\b",
    )),
    re.IGNORECASE | re.MULTILINE,
)

# A delivery report that is a warning, not a failure: the mail is still being retried
# and will probably arrive, so it must not count as a bounce (which reassigns a case).
DELAY_SUBJECT = _words(
    r"^\s*delayed mail\b", r"^\s*warning: message .{0,80} delayed\b",
    r"^\s*delivery status notification \(delay\)",
    r"^\s*warning: could not send message for past\b",  # sendmail
)
# A mail server's own words for "not delivered yet, still trying" (Exchange, sendmail,
# Postfix): a warning, whoever's address it comes under.
DELAY_BODY = _words(
    r"\bdelivery is delayed to these recipients or groups\b",
    r"\bthis is a warning (?:message )?only\b", r"\byou do not need to resend your message\b",
)
# Exchange's delay notice; only trusted on mail already known to be a delivery report,
# since "Delivery delayed: garden waste bins" is a member's subject too.
REPORT_DELAY_SUBJECT = _words(r"^\s*delivery delayed\s*:")
NOT_FAILED = frozenset({"delayed", "delivered", "relayed", "expanded"})

RECEIPT_SUBJECT = _words(
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
)
# Exchange's own notices, in words no member starts a subject with: no body shape needed.
EXCHANGE_RECEIPT_SUBJECT = _words(
    r"^\s*relayed:",  # delivered onward, no receipt from the far end
    r"^\s*expanded:",  # a distribution list was expanded
    r"^\s*message recall (?:success|failure|report)\b",
)
EXCHANGE_CALENDAR_SUBJECT = _words(
    r"^\s*meeting forward notification:", r"^\s*new time proposed:"
)

# What the body of a calendar response or a read/delivery receipt looks like.
CALENDAR_BODY = re.compile(
    r"\bhas (?:accepted|declined|tentatively accepted|cancell?ed)\b|\byou (?:have been|are) "
    r"invited\b|\bthis (?:event|meeting) has been (?:changed|updated|cancell?ed)\b"
    r"|^\s*(?:when|where|organi[sz]er|attendees|required|optional)\s*:"
    r"|\b\d{1,2}[:.]\d{2}\s*(?:-|–|to)\s*\d{1,2}[:.]\d{2}\b|\bwedi (?:derbyn|gwrthod)\b"
    r"|\bjoin (?:the )?(?:microsoft teams|teams|zoom|google meet) meeting\b",
    re.IGNORECASE | re.MULTILINE,
)
RECEIPT_SHAPE = re.compile(
    r"\byour message\b|\bthis is a (?:return )?receipt for\b"
    r"|\b(?:was|has been) (?:read|delivered|deleted|displayed)\b|\bdarllenwyd eich neges\b"
    r"|\bihre nachricht\b|\bvotre message\b"
    r"|\bsu mensaje\b|\buw bericht\b|^\s*(?:to|subject|sent|at|pwnc|an|betreff)\s*:",
    re.IGNORECASE | re.MULTILINE,
)

# Outlook's message recall, sent over SMTP when the recipient is outside the sender's
# Exchange organisation: the member's client wrote it, not the member.
RECEIPT_BODY = _words(r"\bwould like to recall the message\b")

CALENDAR_SUBJECT = _words(
    r"^\s*(?:accepted|declined|tentative|tentatively accepted|canceled|cancelled):",
    r"^\s*(?:updated )?invitation:",

    r"^\s*(?:angenommen|abgelehnt|mit vorbehalt angenommen|einladung):",
    r"^\s*(?:accepté|refusé|provisoire|invitation)\s?:",
    r"^\s*(?:aceptado|rechazado|provisional|invitación):",
    r"^\s*(?:geaccepteerd|geweigerd|voorlopig|uitnodiging):",
    r"^\s*(?:derbyniwyd|gwrthodwyd|gwahoddiad):",
)

DAEMON_SENDER = re.compile(
    r"^(?:mailer-daemon|postmaster|post_master|mail-daemon|mailerdaemon|bounces?)(?:[+-][^@]*)?@"
    # Exchange's own system mailbox ("Microsoft Outlook"): NDRs, quota and rule notices
    r"|^microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@",
    re.IGNORECASE,
)
NOREPLY_SENDER = re.compile(
    r"^[^@]*(?:no-?reply|do-?not-?reply|donotreply)[^@]*@"
    # "no_reply@", "do.not.reply@" (council CRMs, payment and booking systems); as a word of
    # its own, not the end of a name ("juno.reply@")
    r"|^(?:[^@]*[^a-z@])?(?:no[_.]reply|do[_.]not[_.]reply)[^@]*@"
    # Platforms that only send notifications, under any mailbox name: GOV.UK Notify (the
    # councils' own services use it) and Microsoft 365's quarantine and alert mail
    r"|@notifications\.service\.gov\.uk$|@messaging\.microsoft\.com$",
    re.IGNORECASE,
)

BODY_WINDOW = 3000  # auto-replies say what they are at the top


def _header(msg: ParsedMessage, name: str) -> str:
    return msg.headers.get(name, "").strip().lower()


def _report_type(msg: ParsedMessage) -> str:
    ctype = msg.headers.get("content-type", "").lower()
    if "multipart/report" in ctype and "report-type" not in ctype:
        return "unspecified"
    found = re.search(r"report-type\s*=\s*\"?([\w-]+)", ctype)
    return found.group(1) if found else ""


Rule = Callable[[ParsedMessage], Automatic | None]


def _ours(msg: ParsedMessage) -> Automatic | None:
    return Automatic.AUTO_REPLY if LOOP_HEADER.lower() in msg.headers else None


CALENDAR_TYPES = ("text/calendar", "application/ics")


def _calendar(msg: ParsedMessage) -> Automatic | None:
    # An invitation or a reply to one carries its calendar part in the body; a member who
    # attaches a residents' meeting .ics to an enquiry is not calendar traffic. (Google
    # sends both, the inline part and an invite.ics attachment.)
    inline = Counter(msg.content_types) - Counter(msg.attachment_types)
    if not any(inline[t] for t in CALENDAR_TYPES):
        return None
    return None if _person_forwarding_an_invitation(msg) else Automatic.CALENDAR


# "FW:" and "Fwd:" in the languages of members' mail clients (Welsh Outlook: "Ymlaen:").
FORWARD_SUBJECT = re.compile(r"^\s*(?:fw|fwd|wg|tr|rv|pd|ymlaen|yml)\s*:", re.IGNORECASE)


def _person_forwarding_an_invitation(msg: ParsedMessage) -> bool:
    """A member who forwards a meeting invitation from Outlook sends a meeting request of
    their own: the calendar part inline, "FW:" in the subject, and their words above the
    invitation's From/Sent/When block. No calendar system writes that: its invitations and
    responses have no forward prefix, and a forwarding rule adds no words. Words that ask
    nothing ("FYI") do not count; the rules below still judge the message."""
    if not FORWARD_SUBJECT.match(msg.subject):
        return False
    own = own_text(msg.text)
    words = "\n".join(cut_signature(own.text[:BODY_WINDOW].split("\n")))
    return own.history and _asks_something(words) and not CALENDAR_BODY.search(words)


def _report(msg: ParsedMessage) -> Automatic | None:
    report = _report_type(msg)
    types = set(msg.content_types)
    if report == "disposition-notification" or "message/disposition-notification" in types:
        return Automatic.RECEIPT
    if report or "multipart/report" in types or "message/delivery-status" in types:
        return Automatic.RECEIPT if _not_a_failure(msg) else Automatic.BOUNCE
    if "message/feedback-report" in types:
        return Automatic.BOUNCE
    return None


def _failed_recipients(msg: ParsedMessage) -> Automatic | None:
    return Automatic.BOUNCE if "x-failed-recipients" in msg.headers else None


def _disposition_notification(msg: ParsedMessage) -> Automatic | None:
    # An MDN itself carries Original-Recipient / a "disposition" report; a *request* for
    # one (Disposition-Notification-To) is sent by humans and does not count.
    return (
        Automatic.RECEIPT
        if "original-message-id" in msg.headers and "disposition" in msg.headers
        else None
    )


def _auto_submitted(msg: ParsedMessage) -> Automatic | None:
    value = _header(msg, "auto-submitted")
    if value and not value.startswith("no"):
        return Automatic.AUTO_REPLY
    return None


def _autoreply_headers(msg: ParsedMessage) -> Automatic | None:
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"):
        if name in msg.headers and _header(msg, name) not in ("no", "false", "0"):
            return Automatic.AUTO_REPLY
    return None


def _precedence(msg: ParsedMessage) -> Automatic | None:
    value = _header(msg, "precedence")
    if value in ("bulk", "junk", "list"):
        return Automatic.BULK
    if value == "auto_reply":
        return Automatic.AUTO_REPLY
    return None


def _list(msg: ParsedMessage) -> Automatic | None:
    if any(h in msg.headers for h in LIST_HEADERS):
        return Automatic.BULK
    if _header(msg, "delivered-to").startswith("mailing list"):
        return Automatic.BULK
    return None


LIST_HEADERS = (
    "list-id",
    "list-unsubscribe",
    "list-post",
    "list-subscribe",
    "list-help",
    "list-archive",
    "mailing-list",
    "x-mailing-list",
    "x-mlserver",
    "x-ml-name",
    "x-loop",
)


def _daemon_sender(msg: ParsedMessage) -> Automatic | None:
    # Before Auto-Submitted: MTAs mark their bounces and delay warnings auto-replied too,
    # and a bounce taken for an out-of-office would be handled as the officer's absence.
    sender = msg.sender.email if msg.sender else ""
    if sender and DAEMON_SENDER.match(sender):
        return Automatic.RECEIPT if _not_a_failure(msg) else Automatic.BOUNCE
    return None


def _empty_return_path(msg: ParsedMessage) -> Automatic | None:
    # After Auto-Submitted: RFC 3834 asks auto-replies for an empty Return-Path as well.
    if msg.headers.get("return-path", "").replace(" ", "").strip() == "<>":
        if AUTO_REPLY_SUBJECT.search(msg.subject):
            return Automatic.AUTO_REPLY
        return Automatic.RECEIPT if _not_a_failure(msg) else Automatic.BOUNCE
    return None


def _not_a_failure(msg: ParsedMessage) -> bool:
    """A delivery report that says the mail is delayed (still being retried) or was
    delivered: by its Action fields if it has them, else by its subject."""
    if msg.delivery_actions:
        return set(msg.delivery_actions) <= NOT_FAILED
    return any(p.search(msg.subject) for p in (DELAY_SUBJECT, REPORT_DELAY_SUBJECT))


def _subject_and_body(msg: ParsedMessage) -> Automatic | None:
    subject = msg.subject
    # "Invitation: residents' meeting on 3 December" and "Declined: my blue badge
    # application" are members' subjects too: a calendar or receipt subject counts when
    # the body has that robot's shape (or nothing at all), and asks nothing of us.
    if EXCHANGE_CALENDAR_SUBJECT.search(subject) or (
        CALENDAR_SUBJECT.search(subject) and _shaped_like(msg.text, CALENDAR_BODY)
    ):
        return Automatic.CALENDAR
    if EXCHANGE_RECEIPT_SUBJECT.search(subject) or (
        RECEIPT_SUBJECT.search(subject) and _shaped_like(msg.text, RECEIPT_SHAPE)
    ):
        return Automatic.RECEIPT
    if DELAY_SUBJECT.search(subject):
        return Automatic.RECEIPT
    if BOUNCE_SUBJECT.search(subject):
        return Automatic.BOUNCE
    if AUTO_REPLY_SUBJECT.search(subject):
        return Automatic.AUTO_REPLY
    # Only the sender's own words: a member who forwards a resident's "I am out of the
    # office until..." email, or forwards a bounce to ask about it, is still a member
    # asking something. A bounce passed on with a note that asks nothing ("Forward the
    # message.") is still a bounce report, so then the forwarded text counts too.
    own = own_text(msg.text)
    # Auto-replies and bounces answer mail: a message that answers or passes on nothing
    # (a member's new enquiry: "The following addresses failed to get their council tax
    # letters", "I am on leave next week, so please copy in Cllr Evans") needs more than
    # a phrase to be a robot: being short and asking nothing, or having no sender at all.
    answering = _answers_something(msg) or msg.sender is None
    brief = len(own.text.split()) <= BRIEF_NOTE_WORDS and "?" not in own.text
    bounce_text = msg.text
    if own.forwards and _asks_something(own.text):
        bounce_text = own.text
    if answering and BOUNCE_BODY.search(bounce_text[:BODY_WINDOW]):
        return Automatic.BOUNCE
    report = bounce_text[:BODY_WINDOW]
    if _robots_words(DELAY_BODY, report):
        return Automatic.RECEIPT
    if _robots_words(MTA_REPORT_BODY, report):
        return Automatic.RECEIPT if _not_a_failure(msg) else Automatic.BOUNCE
    if _robots_words(QUARANTINE_DIGEST, f"{subject}\n{own.text[:BODY_WINDOW]}"):
        return Automatic.BULK
    # Above the sign-off: officers keep "I will be on annual leave from 21 December until
    # 4 January" in their signatures all December, under real answers.
    above_signoff = "\n".join(cut_signature(own.text[:BODY_WINDOW].split("\n")))
    if (answering or brief) and AUTO_REPLY_BODY.search(above_signoff) and not (
        ASKS_US_TO_ACT.search(above_signoff)
    ):
        return Automatic.AUTO_REPLY
    # Notifications ("please do not reply to this email") are new mail, not answers.
    secure = SECURE_MESSAGE.search(subject) or SECURE_MESSAGE.search(own.text[:BODY_WINDOW])
    if SERVICE_RECEIPT_BODY.search(above_signoff) and not secure:
        return Automatic.AUTO_REPLY
    if (answering or brief) and RECEIPT_BODY.search(own.text[:BODY_WINDOW]):
        return Automatic.RECEIPT
    if _bulletin(own.text):
        return Automatic.BULK  # the unsubscribe line is at the foot
    if any(NOREPLY_SENDER.search(address) for address in _submitters(msg)):
        return Automatic.BULK  # noreply@ senders: notifications, never a person
    return None


def _robots_words(pattern: re.Pattern[str], text: str) -> bool:
    """A robot's words (a mail server's report, a filter's digest), and no one above them
    asking us about it."""
    found = pattern.search(text)
    if found is None:
        return False
    above = text[: found.start()]
    return "?" not in above and ASKS_US_TO_ACT.search(above) is None


NOTE_ON_TOP_CHARS = 1000  # a member's note above content they pasted in
# A person asking us to act on something ("Could someone check whether ..."), and not a
# bulletin asking its reader to see to their own affairs ("Can you check your bin day").
NOTE_ASKS_US = _words(
    r"\b(?:could|can|would|will) (?:someone|somebody|you|an officer|officers|the team)"
    r"\s+(?:please\s+)?" + _ACT + r"\b(?!\s+(?:your|yours|you)\b)",
    r"\bplease (?:could|can|would) (?:you|someone) " + _ACT + r"\b(?!\s+(?:your|yours|you)\b)",
)


def _bulletin(own: str) -> bool:
    """An unsubscribe line, and no note on top asking us to act: a member who pastes a
    bulletin a resident sent them under "Could someone check whether ...?" is asking."""
    found = BULK_BODY.search(own)
    if found is None:
        return False
    above = own[: min(found.start(), NOTE_ON_TOP_CHARS)]
    return NOTE_ASKS_US.search(above) is None


def _shaped_like(text: str, shape: re.Pattern[str]) -> bool:
    own = own_text(text).text[:BODY_WINDOW]
    if not own.strip():
        return True
    return shape.search(own) is not None and ASKS_US_TO_ACT.search(own) is None


ASKS_NOTHING_WORDS = 10  # a covering note shorter than this, without a "?", passes mail on
BRIEF_NOTE_WORDS = 40  # an away-note with a subject of its own ("Holiday") is this short
# "Re:" and "Fwd:" in the languages of mail clients members use (Welsh Outlook: "Ateb:").
REPLY_OR_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:re|aw|sv|vs|odp|antw|rif|r|ynt|ateb|atb|fw|fwd|wg|tr|rv|ymlaen|pd|pd)\s*:", re.I
)


def _answers_something(msg: ParsedMessage) -> bool:
    return bool(msg.in_reply_to or msg.references or REPLY_OR_FORWARD_SUBJECT.match(msg.subject))


def _asks_something(own: str) -> bool:
    return "?" in own or len(own.split()) >= ASKS_NOTHING_WORDS


def _submitters(msg: ParsedMessage) -> list[str]:
    """The From address and, if another system sent it in someone's name (SharePoint,
    Forms, a CRM "on behalf of" a councillor), the Sender header's address."""
    found = [msg.sender.email] if msg.sender else []
    sender_header = msg.headers.get("sender", "")
    address = re.search(r"[^\s<>\"',;:]+@[^\s<>\"',;]+", sender_header)
    if address:
        found.append(address.group(0).lower())
    return found


RULES: tuple[tuple[str, Rule], ...] = (
    ("our own mail came back (loop header)", _ours),
    ("calendar item", _calendar),
    ("delivery or read report (multipart/report)", _report),
    ("X-Failed-Recipients header", _failed_recipients),
    ("disposition notification", _disposition_notification),
    ("mailer-daemon sender", _daemon_sender),
    ("Auto-Submitted header", _auto_submitted),
    ("X-Autoreply/X-Autorespond header", _autoreply_headers),
    ("Precedence header", _precedence),
    ("mailing-list headers", _list),
    ("empty Return-Path", _empty_return_path),
    ("subject or body pattern", _subject_and_body),
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


def without_gateway_tags(subject: str) -> str:
    previous = None
    while previous != subject:
        previous, subject = subject, GATEWAY_TAG.sub("", subject, count=1)
    return subject


def detect_automatic(msg: ParsedMessage) -> Verdict | None:
    """Why this message is automatic, or None if a person wrote it."""
    msg = replace(msg, subject=without_gateway_tags(msg.subject))
    for reason, rule in RULES:
        found = rule(msg)
        if found is not None:
            return Verdict(found, reason)
    return None
