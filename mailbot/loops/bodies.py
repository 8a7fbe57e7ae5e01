"""The words automatic mail is written in, read in a message's body: auto-replies and
away-notes, service receipts, bulletins' footers, mail servers' delivery reports and
delay warnings, filter digests, calendar and receipt bodies; and the words of a person
asking us to act, which outweigh them."""

from __future__ import annotations

import re

from mailbot.loops.subjects import words

AUTO_REPLY_BODY = words(
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
    r"\bi(?:'m| am| will be) (?:currently |now )?(?:on (?:holiday|leave|annual leave"
    r"|maternity leave|paternity leave|parental leave|sick leave|jury service)"
    r"|off (?:work|sick))\b.{0,80}"
    r"\b(?:until|till|til|back on|back in|returning|no access|limited access)\b",
    r"\bi(?:'m| am| will be) away (?:from|between) (?:the )?\d{1,2}",
    r"\bi (?:will )?(?:have|be with) (?:limited|no) access to (?:my )?e-?mails?\b",
    r"\bi(?:'m| am| will be)\b[^.\n]{0,60}\bwith (?:limited|no|restricted|intermittent) access "
    r"to (?:my )?e-?mails?\b",
    r"\bi(?:'m| am) not (?:checking|reading|monitoring) (?:my )?e-?mails?\b",
    # Written for a councillor by their office or by the member in the third person
    r"\b(?:cllr|councillor|mr|mrs|ms|miss|dr)\.? [\w'-]+(?: [\w'-]+)? is (?:currently |now )?"
    r"(?:away|on (?:leave|holiday|annual leave)|out of the office)\b.{0,60}"
    r"\b(?:until|returning|back on|on (?:his|her|their) return)\b",
    r"\bdw i allan o'?r swyddfa\b", r"\brwyf allan o'?r swyddfa\b", r"\bateb awtomatig\b",
    # Welsh: "I am / I will be" + out of the office, away, on (annual) leave, absent
    r"\b(?:rydw i|rwyf i|rwyf|dw i|dwi|rwy'?n|rydw i'?n|byddaf|bydda i|byddaf i)\s+"
    r"(?:allan o'?r swyddfa|i ffwrdd|ar wyliau|ar absenoldeb|yn absennol|absennol)",
    r"\b(?:dydw i ddim|dw i ddim|dwi ddim|nid wyf|nid ydw i)\s+yn y swyddfa\b",
    r"\bje suis absent(?:e)?\b", r"\bje serai absent(?:e)?\b", r"\bréponse automatique\b",
    r"\bje (?:suis|serai) (?:actuellement |présentement )?(?:absente?|en cong[ée]s?|en vacances"
    r"|hors du bureau)\b",
    r"\bich bin (?:bis|vom|ab)\b.{0,60}\b(?:abwesend|nicht im büro|urlaub)\b",
    r"\bich bin (?:derzeit |zurzeit )?(?:abwesend|nicht im büro|im urlaub)\b",
    r"\bwieder (?:im büro|erreichbar|für sie erreichbar)\b",
    r"\bich befinde mich\b.{0,60}\b(?:im urlaub|au(?:ß|ss)er haus|nicht im b(?:ü|ue)ro"
    r"|auf dienstreise|in elternzeit)\b",
    r"\bestoy fuera de la oficina\b", r"\bestaré fuera\b", r"\brespuesta automática\b",
    r"\bik ben (?:momenteel |tot )?.{0,40}\bafwezig\b", r"\bautomatisch antwoord\b",
    # Out-of-office sentences in the languages most spoken in UK councils after English
    # and Welsh; only the sender's own text is searched (see mailbot.loops.content).
    r"\b(?:jestem|b[ęe]d[ęe]) poza biurem\b", r"\bprzebywam na (?:urlopie|zwolnieniu)\b",
    r"\b(?:jestem|b[ęe]d[ęe]) (?:obecnie |aktualnie )?na urlopie\b", r"\bnie ma mnie w biurze\b",
    r"\bnu sunt (?:[îi]n|la) birou\b",
    r"\bestou (?:fora do escrit[óo]rio|de f[ée]rias|ausente)\b", r"\bsono fuori ufficio\b",
    r"\bsunt (?:[îi]n concediu|plecat[ăa]? din birou)\b", r"\besu i[šs]vyk[ęe](?:s|usi)\b",
    r"\bjsem mimo kancel[áa][řr]\b", r"\bh[áa]zon k[íi]v[üu]l vagyok\b",
    r"\bofis d[ıi][şs][ıi]nday[ıi]m\b", r"\bjag är (?:ledig|på semester|inte på kontoret)\b",
    r"دفتر سے باہر ہوں", r"خارج المكتب", r"ਦਫ਼?ਤਰ ਤੋਂ ਬਾਹਰ ਹਾਂ", r"অফিসের বাইরে আছি",
    # "I am on leave": Urdu, Punjabi (Shahmukhi and Gurmukhi), Bengali, Gujarati, Hindi, Arabic
    r"چھٹی پر ہوں", r"چھٹی تے ہاں", r"ਛੁੱਟੀ ?'?ਤੇ ਹਾਂ", r"ছুটিতে আছি", r"રજા પર છું",
    r"छुट्टी पर हू[ँं]", r"أنا في إجازة",
    r"不在办公室", r"不在辦公室",
)

# Receipts from ticket systems, CRMs and service mailboxes that send no Auto-Submitted
# header, and away-notes that officers also keep in their signatures ("I work part-time
# and will reply on ...", "we aim to respond within 10 working days"): read only above
# the sign-off, so a person's real reply with such a footer is still a reply. Not
# applied to a secure-message notice (Egress, Mimecast, Outlook encryption): a member's
# own message may be waiting behind it, and it says "do not reply" too.
# An away-note says nobody reads the address now (an auto-reply: an officer's case moves
# to their deputy); a receipt only that the mail arrived (a team mailbox's ticket system
# logging our assignment is not the officer's absence).
AWAY_NOTE_BODY = words(
    r"\bi (?:work|am working) part[- ]time\b.{0,80}\b(?:respond|reply|get back)\b",
    r"\b(?:this|the) (?:mailbox|e-?mail address|inbox) is (?:not monitored|unmonitored)\b",
)
SERVICE_RECEIPT_BODY = words(
    r"\byour (?:e-?mail|message|enquiry|request) has been received\b",
    r"\bwe aim to (?:respond|reply)\b.{0,60}\bwithin \d+\b",
    r"\bthis is an? (?:automated|automatically generated|automatic) (?:e-?mail|message"
    r"|notification|acknowledge?ment|response|reply|receipt)\b",
    r"\bthis (?:e-?mail|message|notification) (?:was|has been|is) (?:sent |generated )?"
    r"automatically\b",
    r"\bplease do not reply to this (?:e-?mail|message)\b",
    r"\b(?:ticket|case|call|incident) (?:#|number |no\.? |reference )?[\w-]*\d[\w-]* has been "
    r"(?:created|logged|raised|opened)\b",
)
# What a ticket system or another organisation's CRM says when it logs our mail (Salesforce,
# Zendesk, Freshdesk, ServiceNow, Jadu, an MP's office): answering one would start a loop
# of acknowledgements. Trusted only where the sender asks nothing ("?" or a request to act
# vetoes them), since a member may report that a resident was told such a thing.
CRM_RECEIPT_BODY = re.compile(
    "|".join(f"(?:{p})" for p in (
        r"\bwe (?:would like to )?acknowledge (?:that we have received|receipt of) your\b",
        r"\bwe (?:can )?confirm (?:the )?receipt of your\b",
        r"\byour (?:incident|request|case) has been (?:opened|logged|created) on your behalf\b",
        r"\byour (?:e-?mail|message|enquiry|request|query|report) \(?#?\d+\)? has been "
        r"(?:received|logged)\b",
        r"\bwe will (?:respond|reply|get back to you|be in touch)\b.{0,40}\bwithin \d+ "
        r"(?:working |business )?days\b",
        r"\bref:[!_]00d\w+\.[!_]\w+:ref\b",  # Salesforce Email-to-Case's thread token
        r"^\s*ref:msg\d{6,}",  # ServiceNow's watermark
    )),
    re.IGNORECASE | re.MULTILINE,
)
# An elected representative's office thanking whoever wrote (an MP, a Member of the Senedd
# or of the Scottish Parliament, an MLA): counted only in answers to our mail, where no
# member thanks someone for contacting one. The title in capitals: "Ms Jones" is a name.
OFFICE_RECEIPT_BODY = words(
    r"\bthank you for (?:contacting|your e-?mail to|e-?mailing|writing to) (?:the office of )?"
    r"[\w .'-]{0,60}\b(?-i:MP|MS|MSP|MLA)\b",
)

SECURE_MESSAGE = words(
    r"\bsecure (?:e-?mail|message)\b", r"\bencrypted (?:e-?mail|message)\b",
    r"\bprotected (?:e-?mail|message)\b",
)

# Newsletters and bulletins sent without any list header.
BULK_BODY = words(
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
        # Microsoft 365's notice, also sent under a council's own address when set so
        r"\b(?:are|is) being held for you to review\b",
        r"\byou have (?:\d+ )?(?:new )?messages? in quarantine\b",
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
ASKS_US_TO_ACT = words(
    r"\b(?:could|can|would|will) (?:someone|somebody|you|an officer|officers|the team)"
    r"\s+(?:please\s+)?" + _ACT + r"\b",
    # Not a bare "please check / visit ...": service auto-replies say "please visit our
    # website"; a person asks someone to do it.
    r"\bplease (?:could|can|would) (?:you|someone) " + _ACT + r"\b",
    # "... but please look at the pothole": a bare request, in verbs no auto-reply uses of
    # its own business ("please check our website", "please ensure you include your postcode").
    r"\bplease (?:look (?:at|into)|investigate|chase|sort|fix|repair|inspect|deal with"
    r"|pick (?:this|it) up|(?:make sure|ensure)(?!\s+(?:you|your|our)\b))\b",
    # Welsh "can/could/would you ...", unless it is "... contact / phone / resend"
    r"\b(?:a )?(?:allwch|allech|fyddech|wnewch) chi\s+(?:cystal\s+)?"
    r"(?!(?:â |a )?(?:gysylltu|chysylltu|ffonio|anfon|ail-?anfon))\w",
    r"\bgwnewch yn si[ŵw]r\b",
)

BOUNCE_BODY = words(
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

# A mail server's own words for "not delivered yet, still trying" (Exchange, sendmail,
# Postfix): a warning, whoever's address it comes under.
DELAY_BODY = words(
    r"\bdelivery is delayed to these recipients or groups\b",
    r"\bthis is a warning (?:message )?only\b", r"\byou do not need to resend your message\b",
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
RECEIPT_BODY = words(r"\bwould like to recall the message\b")

# A person asking us to act on something ("Could someone check whether ..."), and not a
# bulletin asking its reader to see to their own affairs ("Can you check your bin day").
NOTE_ASKS_US = words(
    r"\b(?:could|can|would|will) (?:someone|somebody|you|an officer|officers|the team)"
    r"\s+(?:please\s+)?" + _ACT + r"\b(?!\s+(?:your|yours|you)\b)",
    r"\bplease (?:could|can|would) (?:you|someone) " + _ACT + r"\b(?!\s+(?:your|yours|you)\b)",
)
