"""Word lists for attribution. Hand-written; frequencies checked against the tuning data."""

# Speech and attribution verbs, in the forms news copy uses. A cue may be followed
# by "that" and by an addressee ("told CBS", "told reporters").
SPEECH_VERBS = {
    "say", "says", "said", "saying", "tell", "tells", "told", "telling", "add", "adds", "added",
    "adding", "note", "notes", "noted", "noting", "write", "writes", "wrote", "writing",
    "argue", "argues", "argued", "arguing", "claim", "claims", "claimed", "claiming", "insist",
    "insists", "insisted", "insisting", "warn", "warns", "warned", "warning", "explain",
    "explains", "explained", "explaining", "state", "states", "stated", "declare", "declares",
    "declared", "announce", "announces", "announced", "acknowledge", "acknowledges",
    "acknowledged", "suggest", "suggests", "suggested", "suggesting", "report", "reports",
    "reported", "tweet", "tweets", "tweeted", "post", "posted", "believe", "believes",
    "believed", "think", "thinks", "thought", "predict", "predicts", "predicted", "concede",
    "concedes", "conceded", "admit", "admits", "admitted", "recall", "recalls", "recalled",
    "respond", "responds", "responded", "reply", "replies", "replied", "continue", "continued",
    "agree", "agrees", "agreed", "confirm", "confirms", "confirmed", "deny", "denies", "denied",
    "promise", "promises", "promised", "vow", "vows", "vowed", "pledge", "pledged", "complain",
    "complains", "complained", "charge", "charged", "contend", "contends", "contended",
    "maintain", "maintains", "maintained", "stress", "stressed", "emphasize", "emphasized",
    "emphasised", "observe", "observed", "conclude", "concluded", "reveal", "revealed",
    "estimate", "estimates", "estimated", "show", "shows", "showed", "find", "finds", "found",
    "indicate", "indicates", "indicated", "ask", "asks", "asked", "asking", "urge", "urges",
    "urged", "accuse", "accused", "hope", "hopes", "hoped", "want", "wants", "wanted", "fear",
    "fears", "feared", "worry", "worries", "worried", "expect", "expects", "expected",
    "assert", "asserted", "allege", "alleged", "boast", "boasted", "quip", "quipped", "joke",
    "joked", "mention", "mentioned", "remark", "remarked", "testify", "testified", "caution",
    "cautioned", "signal", "signaled", "signalled", "describe", "described", "call", "called",
}

# Verbs that only attribute when a content clause follows ("showed that ...").
CONTENT_NEEDS_THAT = {"show", "shows", "showed", "find", "finds", "found", "indicate", "indicates",
                      "indicated", "hope", "hopes", "hoped", "want", "wants", "wanted", "call",
                      "called", "describe", "described", "expect", "expects", "expected", "fear",
                      "fears", "feared", "worry", "worries", "worried", "post", "posted", "ask",
                      "asks", "asked", "urge", "urges", "urged", "accuse", "accused", "continue",
                      "continued", "agree", "agrees", "agreed", "confirm", "confirms", "confirmed",
                      "report", "reports", "reported"}

# Words allowed between a speaker and its verb: "Mujahid also added", "he has said".
BETWEEN = {"also", "later", "then", "previously", "repeatedly", "reportedly", "even", "again",
           "recently", "has", "have", "had", "would", "will", "could", "had", "once", "still",
           "further", "publicly", "privately", "earlier", "often", "has", "just", "first",
           "explicitly", "separately", "quickly", "flatly", "categorically", "simply", "long",
           "previously", "frequently", "wrongly", "falsely", "correctly", "initially", "did", "does",
           "do", "not", "never", "may", "might", "can", "should", "must", "would", "privately", "now",
           "already", "always", "also"}

PRONOUNS = {"he", "she", "they", "it", "we", "i", "who"}
PERSON_PRONOUNS = {"he", "she"}

# Titles dropped from a canonical name and kept as its description.
TITLES = {"president", "vice", "sen", "sen.", "senator", "rep", "rep.", "representative", "gov",
          "gov.", "governor", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "mayor",
          "secretary", "minister", "prime", "chancellor", "former", "candidate", "nominee",
          "spokesperson", "spokesman", "spokeswoman", "chairman", "chairwoman", "chair", "leader",
          "director", "general", "attorney", "speaker", "adviser", "advisor", "aide", "strategist",
          "manager", "chief", "ceo", "professor", "judge", "justice", "ambassador", "commissioner",
          "lt.", "gen.", "col.", "adm.", "sgt.", "rev.", "king", "queen", "prince", "presidential",
          "democratic", "republican", "u.s.", "us", "american", "state", "white", "house",
          "press", "communications", "campaign", "senior", "deputy", "executive", "official",
          "officials", "lawmaker", "congressman", "congresswoman", "delegate", "host", "anchor",
          "analyst", "pollster", "economist", "founder", "president-elect", "gop", "party"}

# Heads that make a mention an organisation or group rather than a person.
ORG_WORDS = {"campaign", "committee", "party", "administration", "department", "ministry",
             "government", "agency", "office", "council", "commission", "court", "congress",
             "senate", "house", "taliban", "university", "institute", "center", "centre",
             "foundation", "association", "union", "corporation", "company", "inc", "inc.",
             "group", "network", "news", "post", "times", "journal", "press", "cnn", "fbi", "cia",
             "pentagon", "command", "police", "army", "navy", "board", "bureau", "poll", "survey",
             "report", "study", "statement", "organization", "organisation", "coalition",
             "movement", "caucus", "alliance", "democrats", "republicans", "gop", "nato", "un",
             "kremlin", "tribune", "herald", "insider", "reuters", "ap", "bbc", "fox", "msnbc",
             "nbc", "abc", "cbs", "npr", "tv", "magazine", "daily", "gazette", "federation",
             "bank", "fund", "reserve", "parliament", "assembly", "service", "authority"}

# Generic speaker nouns: "a source", "officials", "the spokesperson".
SPEAKER_NOUNS = {"source", "sources", "official", "officials", "spokesperson", "spokesman",
                 "spokeswoman", "aide", "aides", "adviser", "advisers", "advisor", "advisors",
                 "analyst", "analysts", "expert", "experts", "critics", "critic", "supporters",
                 "supporter", "voters", "voter", "people", "residents", "leader", "leaders",
                 "member", "members", "lawmakers", "lawmaker", "democrats", "republicans",
                 "observers", "statement", "poll", "polls", "survey", "surveys", "report",
                 "reports", "study", "studies", "data", "figures", "documents", "memo", "campaign",
                 "group", "director", "strategist", "strategists", "candidate", "nominee",
                 "president", "senator", "governor", "minister", "chairman", "chairwoman",
                 "administration", "government", "officer", "officers", "investigators",
                 "prosecutors", "economists", "historians", "researchers", "scientists",
                 "organizers", "protesters", "activists", "diplomats", "insiders", "person",
                 "man", "woman", "men", "women", "friends", "allies", "opponents", "rivals",
                 "spokespeople", "representatives", "delegates", "donors", "executives",
                 "employees", "workers", "lawyer", "lawyers", "attorney", "attorneys"}

DETERMINERS = {"the", "a", "an", "another", "one", "two", "three", "several", "many", "some",
               "most", "other", "his", "her", "their", "its", "our", "both", "senior", "top",
               "former", "current", "new", "local", "federal", "state", "republican",
               "democratic", "white", "house", "this", "these", "those", "each"}

# Words after a cue that name whom it was said to: "told CBS", "told reporters".
ADDRESSEES_LOWER = {"reporters", "journalists", "supporters", "the", "a", "an", "me", "us",
                    "him", "her", "them", "lawmakers", "voters", "crowd", "audience", "viewers",
                    "colleagues", "staff", "members", "students", "listeners", "readers"}

ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "lt", "col", "st", "jr", "sr",
                 "u.s", "u.k", "u.n", "a.m", "p.m", "jan", "feb", "mar", "apr", "aug", "sept", "sep",
                 "oct", "nov", "dec", "inc", "corp", "co", "no", "vs", "etc", "d.c", "r", "d", "ariz",
                 "calif", "fla", "mass", "penn", "va", "wash", "mich", "ill", "n.y", "n.j", "i.e",
                 "e.g", "prof", "rev", "capt", "sgt", "adm", "maj", "ft", "mt"}

# Endorsement cues: verb forms and their polarity.
SUPPORT_VERBS = {"endorse", "endorses", "endorsed", "endorsing", "back", "backs", "backed",
                 "backing", "support", "supports", "supported", "supporting", "praise", "praises",
                 "praised", "praising", "welcome", "welcomes", "welcomed", "welcoming", "applaud",
                 "applauds", "applauded", "defend", "defends", "defended", "defending",
                 "favor", "favors", "favored", "favour", "favours", "favoured", "approve",
                 "approves", "approved", "hail", "hails", "hailed", "champion", "champions",
                 "championed", "embrace", "embraces", "embraced", "congratulate",
                 "congratulated", "thank", "thanked", "thanks", "vote", "voted", "voting"}
OPPOSE_VERBS = {"oppose", "opposes", "opposed", "opposing", "criticize", "criticizes",
                "criticized", "criticizing", "criticise", "criticises", "criticised",
                "criticising", "attack", "attacks", "attacked", "attacking", "reject", "rejects",
                "rejected", "rejecting", "condemn", "condemns", "condemned", "condemning",
                "denounce", "denounces", "denounced", "denouncing", "slam", "slams", "slammed",
                "slamming", "blast", "blasts", "blasted", "blasting", "target", "targets",
                "targeted", "targetted", "targeting", "accuse", "accuses", "accused", "accusing",
                "mock", "mocks", "mocked", "mocking", "fault", "faults", "faulted", "blame",
                "blames", "blamed", "blaming", "disavow", "disavows", "disavowed", "repudiate",
                "repudiates", "repudiated", "oust", "fight", "fights", "fought", "sue", "sued",
                "challenge", "challenges", "challenged", "ridicule", "ridiculed", "assail",
                "assailed", "lambaste", "lambasted", "rebuke", "rebuked", "question",
                "questioned", "impeach", "investigate", "investigated"}
POSITIVE_PHRASES = ("positive step", "good step", "step in the right direction", "great job",
                    "good job", "welcome move", "the right thing", "a great", "a good")

# Stance verbs whose object is the attributed content ("Trump has railed against the
# provisions", "unions have endorsed Clinton"): weaker evidence than speech verbs.
OBJECT_VERBS = {
    "endorse", "endorses", "endorsed", "criticize", "criticizes", "criticized", "criticise",
    "criticised", "praise", "praises", "praised", "attack", "attacks", "attacked", "blame",
    "blames", "blamed", "demand", "demands", "demanded", "propose", "proposes", "proposed",
    "pledge", "pledges", "refuse", "refuses", "refused", "reject", "rejects", "rejected",
    "defend", "defends", "defended", "dismiss", "dismisses", "dismissed", "question",
    "questions", "questioned", "rail", "railed", "slam", "slams", "slammed", "blast", "blasts",
    "blasted", "condemn", "condemns", "condemned", "welcome", "welcomes", "welcomed", "support",
    "supports", "supported", "oppose", "opposes", "opposed", "back", "backs", "backed",
    "applaud", "applauded", "cite", "cites", "cited", "plan", "plans", "planned", "seek",
    "seeks", "sought", "decline", "declines", "declined", "vow", "promise", "called", "calls",
    "call", "urge", "urges", "urged", "want", "wants", "wanted", "hope", "hopes", "hoped",
    "commented", "mocked", "lashed", "touted", "touts", "highlighted", "insisted", "decried",
    "lamented", "acknowledged", "conceded", "predicted", "described", "suggested", "argued",
    "announced", "accused", "accuses", "asked", "warned", "recommended", "signaled",
    "indicated", "expressed", "voiced", "raised", "admitted", "disputed", "denied", "denies",
    "calling", "referring", "pointed", "spoke", "talking", "offered", "backing", "supporting",
    "showing", "expects", "expected", "endorsing", "criticizing", "attacking", "praising",
    "pushed", "pushing", "demanding", "insists", "argues", "claims", "believes", "fears",
    "worries", "doubts", "doubted", "predicts", "estimates", "estimated", "projected",
    "concluded", "reported", "reports", "revealed", "disclosed", "detailed", "outlined",
    "released", "issued", "unveiled", "defends", "explained", "recalled", "complained",
}
PARTICLES = {"against", "for", "on", "to", "out", "up", "about", "that", "of"}

# Words that open an introductory phrase, not a reported clause: "In a statement, X said".
INTRO_WORDS = {"in", "at", "on", "during", "after", "before", "while", "despite", "as", "according",
               "speaking", "asked", "from", "with", "without", "for", "when", "since", "following",
               "later", "earlier", "last", "this", "that", "meanwhile", "but", "and", "yet", "still",
               "however", "instead", "separately", "also", "again", "now", "then", "on", "so", "thus",
               "here", "there", "although", "though", "because", "if", "once", "until", "by"}

# One party, many names: "Republicans", "the GOP" and "Republican Party" are one entity.
PARTY_NAMES = {"republicans": "Republican Party", "gop": "Republican Party",
               "republican party": "Republican Party", "democrats": "Democratic Party",
               "dems": "Democratic Party", "democratic party": "Democratic Party"}

# What an article abbreviates, by the name under which it is known: "U.S." and "United States"
# are one party of the article, and a reader looks for the name in full.
ALIASES = {
    "u.s.": ("United States", "other"), "u.s": ("United States", "other"), "usa": ("United States", "other"),
    "u.s.a.": ("United States", "other"), "america": ("United States", "other"),
    "nra": ("National Rifle Association", "group"), "fbi": ("Federal Bureau of Investigation", "group"),
    "cia": ("Central Intelligence Agency", "group"), "doj": ("Justice Department", "group"),
    "dhs": ("Department of Homeland Security", "group"), "epa": ("Environmental Protection Agency", "group"),
    "obamacare": ("Affordable Care Act", "other"), "aca": ("Affordable Care Act", "other"),
    "u.n.": ("United Nations", "group"), "un": ("United Nations", "group"), "eu": ("European Union", "group"),
    "u.k.": ("United Kingdom", "other"), "uk": ("United Kingdom", "other"),
}

# Evaluative words: a quote that names a party and leans one way says where its speaker stands.
NEGATIVE_WORDS = {
    "wrong", "failed", "failure", "failures", "fail", "fails", "disaster", "disastrous", "lie", "lies",
    "lied", "liar", "liars", "lying", "corrupt", "corruption", "dangerous", "weak", "incompetent",
    "terrible", "horrible", "disgrace", "disgraceful", "shameful", "shame", "outrageous", "reckless",
    "crooked", "bad", "worst", "worse", "fraud", "unfit", "hypocrisy", "hypocrite", "hypocritical",
    "extreme", "radical", "dishonest", "illegal", "unconstitutional", "irresponsible", "ridiculous",
    "absurd", "pathetic", "sad", "crazy", "nasty", "racist", "sexist", "bigot", "bigoted", "threat",
    "threatens", "destroy", "destroyed", "destroying", "attack", "attacks", "blame", "blamed",
    "betrayed", "betrayal", "abuse", "abused", "obstruct", "obstruction", "obstructing", "partisan",
    "unacceptable", "unconscionable", "inexcusable", "shocking", "appalling", "deplorable",
    "despicable", "phony", "fake", "rigged", "scandal", "mess", "chaos", "catastrophe", "catastrophic",
    "mistake", "mistakes", "refuse", "refused", "refuses", "blocking", "blocked", "stall", "stalling",
    "hostage", "politics", "worry", "worried", "concern", "concerned", "troubling", "alarming",
    "oppose", "opposed", "against", "reject", "rejected", "condemn", "condemned", "criticize",
    "criticized", "irresponsibly", "cowardly", "coward", "incompetence", "lawless", "unfair",
    "bully", "wacko", "clown", "loser", "losers", "idiot", "joke", "puppet", "traitor", "liar",
    "moron", "dummy", "lightweight", "hoax", "witch", "hunt", "socialist", "communist", "thug",
}
POSITIVE_WORDS = {
    "great", "good", "excellent", "strong", "proud", "honored", "honor", "thank", "thanks", "grateful",
    "support", "supports", "supported", "endorse", "endorsed", "best", "brilliant", "wonderful",
    "terrific", "fantastic", "amazing", "outstanding", "leader", "leadership", "champion", "trust",
    "respect", "respected", "admire", "admired", "qualified", "capable", "effective", "successful",
    "success", "friend", "ally", "applaud", "praise", "praised", "commend", "congratulate",
    "welcome", "welcomed", "deserve", "deserves", "right", "courage", "courageous", "integrity",
    "honest", "decent", "smart", "tough", "fighter", "love", "loved", "agree", "agreed", "hope",
}

# The learned suggester's cues: attribution cues beyond the speech verbs, and speech words that
# are seldom cues. Counted on the training data: words that are part of a gold cue in at least 40% of at least 6 uses.
MORE_CUES = {
    "accuses", "accusing", "acknowledging", "alleging", "angered", "announcing", "answered",
    "apologized", "appeared", "appears", "applauded", "approved", "assailed", "assertion",
    "assumption", "assured", "attacked", "attributed", "believing", "bemoaned", "blamed",
    "blasted", "blasting", "blasts", "calling", "calls", "challenged", "championed", "chanted",
    "chants", "cited", "cites", "citing", "complaints", "condemned", "convince", "convinced",
    "criticism", "criticize", "criticized", "criticizing", "declaring", "declined", "decried",
    "deemed", "defended", "defending", "denounced", "denouncing", "describes", "describing",
    "disclosed", "discuss", "discussed", "discussing", "dismissed", "dismissing", "doubts",
    "eager", "echoed", "emailed", "encouraged", "endorsed", "endorses", "expecting", "express",
    "expressed", "forecast", "highlighted", "highlighting", "hints", "hoping", "identified",
    "implied", "invoked", "issued", "known", "lamented", "learned", "likened", "listed",
    "mentioning", "mocked", "mocking", "named", "nominated", "offered", "oppose", "opposed",
    "ordered", "pleaded", "pledging", "pointed", "pointing", "portray", "portrayed", "praise",
    "praised", "praises", "praising", "predicting", "prefer", "preferred", "presented",
    "pressed", "projected", "promising", "promote", "proposed", "proposing", "pushed",
    "questioned", "questioning", "quoted", "railed", "rattled", "reads", "recalling",
    "recommended", "referenced", "referred", "referring", "refused", "refuses", "refusing",
    "reiterated", "rejected", "remarking", "remembered", "reminded", "reminding", "repeated",
    "repeating", "requested", "restricting", "retweeted", "reveals", "ruled", "seeks", "seemed",
    "seems", "sees", "shouted", "shown", "sided", "slammed", "slamming", "slams", "sought",
    "sounded", "statement", "stating", "suggestion", "supported", "talked", "thanked",
    "thanking", "threatened", "threatening", "titled", "touted", "touting", "tweeting",
    "urging", "voiced", "vowing", "wondered",
}
RARE_CUES = {"add", "charge", "continue", "find", "post", "report", "state", "states", "tweet"}

# Days and months: times, never a party or a speaker ("On Monday the mayor said", "In March").
DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
        "tomorrow"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"}
