"""Demo data for `flask seed-demo`: a responsible-sourcing consortium with real-looking content.

Everything is created through the actions (accounts, topics, threads, posts,
moderation, live), so posts are rendered, counted, held and announced exactly
like real ones. The seed is idempotent: organisations, users, topics, threads
and live sessions are looked up by name, email, slug and title first, and
nothing that already exists is created again.

Only the timestamps are adjusted directly afterwards (threads spread over
the last weeks instead of all "just now"), which the actions cannot do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from .extensions import db
from .models import Post, Thread, Topic, User, utcnow

PASSWORD = "roundtable-demo"


# --- who ------------------------------------------------------------------------------
# (name, kind, country)
ORGANISATIONS = [
    ("Consortium Secretariat", "member", "United Kingdom"),
    ("Northwind Apparel", "member", "Netherlands"),
    ("Lumen Home Goods", "member", "United States"),
    ("Atlas Foods", "member", "Germany"),
    ("Shakti Garments", "supplier", "India"),
    ("Penang Precision Assembly", "supplier", "Malaysia"),
    ("Cooperativa Agrícola Sierra Verde", "supplier", "Mexico"),
    ("Gulf Packaging Industries", "supplier", "United Arab Emirates"),
    ("Saigon Stride Footwear", "supplier", "Vietnam"),
]

# key -> (name, email, role, organisation, note printed by the CLI)
PEOPLE = {
    "amara": ("Amara Okafor", "admin@roundtable.example", "admin", "Consortium Secretariat",
              "administrator; moderates every topic"),
    "priya": ("Priya Raman", "moderator@roundtable.example", "member", "Consortium Secretariat",
              "moderator of Forced and migrant labour, Grievance mechanisms and India"),
    "sofia": ("Sofia Martin", "sofia@northwind.example", "member", "Northwind Apparel",
              "member brand, responsible sourcing lead"),
    "daniel": ("Daniel Brooks", "daniel@lumen.example", "member", "Lumen Home Goods",
               "member brand, supplier compliance"),
    "hannah": ("Hannah Weber", "hannah@atlasfoods.example", "member", "Atlas Foods",
               "member brand, agricultural sourcing; hosts a scheduled live session"),
    "ravi": ("Ravi Kumar", "ravi@shakti.example", "supplier", "Shakti Garments",
             "supplier: garment factory, Tiruppur, India"),
    "meiling": ("Mei Ling Tan", "meiling@penang-assembly.example", "supplier", "Penang Precision Assembly",
                "supplier: electronics assembler, Penang, Malaysia"),
    "lucia": ("Lucia Hernandez", "lucia@sierraverde.example", "supplier", "Cooperativa Agrícola Sierra Verde",
              "supplier: agricultural cooperative, Oaxaca, Mexico"),
    "omar": ("Omar Haddad", "omar@gulfpack.example", "supplier", "Gulf Packaging Industries",
             "supplier: packaging plant, Sharjah, UAE"),
    "lan": ("Nguyen Thi Lan", "lan@saigonstride.example", "supplier", "Saigon Stride Footwear",
            "supplier: footwear maker, Vietnam; her first post waits in the review queue"),
}

# Registered through the public form and not yet approved: shows the admin's approval queue.
PENDING = ("arjun", "Arjun Mehta", "arjun@shakti.example", "Shakti Garments", "supplier",
           "registered, awaiting approval (cannot sign in until an admin approves)")


# --- where ------------------------------------------------------------------------------
THEME_RULES = (
    "- Be specific and kind: describe practices, not people.\n"
    "- Never post workers' names, ID numbers or photos.\n"
    "- Flag anything that identifies a person or breaks confidentiality."
)

# slug -> settings for actions.topics.create_topic
TOPICS = {
    "forced-labour": dict(
        name="Forced and migrant labour", kind="theme", position=1,
        description="Recruitment fees, retained documents, debt bondage, migrant workers' rights "
                    "and how to remediate when indicators are found.",
        rules=THEME_RULES + "\n- New participants' first two posts are reviewed by a moderator.",
        moderation="first_n", hold_first_n=2),
    "grievance-mechanisms": dict(
        name="Grievance mechanisms", kind="theme", position=2,
        description="Hotlines, worker committees and remedy: designing channels workers trust. "
                    "You may post anonymously here.",
        rules=THEME_RULES + "\n- Anonymous posts are welcome; moderators can see who wrote them.",
        allow_anonymous=True),
    "anti-corruption": dict(
        name="Anti-corruption", kind="theme", position=3,
        description="Facilitation payments, audit integrity, gifts and hospitality, third-party agents.",
        rules=THEME_RULES),
    "land-rights": dict(
        name="Land use and land rights", kind="theme", position=4,
        description="Free, prior and informed consent, communal land, deforestation and traceability.",
        rules=THEME_RULES),
    "working-conditions": dict(
        name="Working conditions and wages", kind="theme", position=5,
        description="Living wages, working hours, health and safety, heat stress, contracts.",
        rules=THEME_RULES + "\n- Slow mode: one post every 30 seconds per person.",
        slow_mode_seconds=30),
    "asia-pacific": dict(
        name="Asia-Pacific", kind="hub", position=10,
        description="Regional hub for suppliers and members across Asia and the Pacific."),
    "mexico-central-america": dict(
        name="Mexico and Central America", kind="hub", position=11,
        description="Regional hub for Mexico, Guatemala, Honduras, El Salvador and neighbours."),
    "india": dict(
        name="India", kind="hub", position=12,
        description="Regional hub for suppliers and members working in India."),
    "malaysia": dict(
        name="Malaysia", kind="hub", position=13,
        description="Regional hub for Malaysia: electronics, rubber gloves, palm oil."),
    "middle-east": dict(
        name="Middle East", kind="hub", position=14,
        description="Regional hub for the Gulf states and the wider Middle East."),
}

MODERATORS = {"priya": ["forced-labour", "grievance-mechanisms", "india"]}


# --- what ------------------------------------------------------------------------------
@dataclass
class R:
    """A reply: `to` is the index of an earlier reply in the same thread (None: to the opening post)."""

    who: str
    body: str
    to: int | None = None
    anonymous: bool = False


@dataclass
class T:
    topic: str
    who: str
    title: str
    body: str
    kind: str = "discussion"
    anonymous: bool = False
    tags: list[str] = field(default_factory=list)
    replies: list[R] = field(default_factory=list)
    accept: int | None = None  # index of the accepted reply
    pin: bool = False
    days_ago: float = 3.0


# Order matters: forced-labour holds a newcomer's first two posts, so it comes last,
# once everyone but Lan has posted elsewhere.
THREADS: list[T] = [
    # --- Grievance mechanisms (anonymous posts allowed) ---------------------------------
    T("grievance-mechanisms", "omar", "How can we raise a buyer's last-minute order changes without risking future orders?",
      "We are a packaging supplier. Twice this quarter a buyer moved delivery dates forward by "
      "**ten days** after materials were already ordered. Our people worked double shifts to make it.\n\n"
      "We want to raise this through the buyer's grievance channel, but we are worried it will be "
      "held against us at the next sourcing review.\n\n"
      "- Has anyone used a brand's supplier grievance channel for purchasing practices?\n"
      "- Was it kept confidential from the buying team?",
      kind="question", anonymous=True, tags=["purchasing-practices", "confidentiality"], days_ago=9,
      replies=[
          R("priya", "Thank you for raising this here: it is exactly what this channel is for.\n\n"
                     "Under the consortium's code, member grievance channels for suppliers must be run "
                     "**independently of buying teams**, and retaliation is itself a breach. Practical steps:\n\n"
                     "1. Keep the written requests with dates (emails, revised POs).\n"
                     "2. Record the overtime hours it caused.\n"
                     "3. Submit through the brand's channel *and* copy the secretariat at "
                     "grievances@roundtable.example if you want us to follow up.\n\n"
                     "We can also raise the pattern anonymously with the member on your behalf."),
          R("daniel", "Speaking as a brand: at Lumen these reports go to our ethics office, not to "
                      "buyers, and we track them as a KPI for the buying team. Late changes are one "
                      "of the main causes of excessive overtime we find in audits, so please do report them."),
          R("omar", "Thank you both. We will send the PO history through the secretariat first.", to=0,
            anonymous=True),
      ], accept=0),
    T("grievance-mechanisms", "daniel", "Worker hotlines: what response times are realistic?",
      "We are revising our supplier code and want to set a **maximum time to acknowledge** and to "
      "**resolve** hotline complaints. Current draft: acknowledge within 48 hours, resolve within 30 days.\n\n"
      "Is that realistic for factories with 500–2,000 workers? What do you measure?",
      tags=["hotlines", "kpi"], days_ago=6,
      replies=[
          R("ravi", "48 hours to acknowledge is fine for us, we use an SMS number run by a local NGO. "
                    "30 days to resolve is hard when the issue involves a labour contractor. We report "
                    "*time to first action* as well, which workers care about more."),
          R("meiling", "Agree with Ravi. We also publish a monthly summary on the canteen notice board "
                       "(numbers by category, no names). Usage went up after workers saw complaints "
                       "being closed."),
          R("sofia", "Useful. Could you share the categories you use on the board?", to=1),
          R("meiling", "Wages and deductions, working hours, dormitory, food, harassment, health and "
                       "safety, other. We kept it short on purpose.", to=2),
      ]),
    T("grievance-mechanisms", "lucia", "A grievance mechanism for seasonal workers who leave after the harvest",
      "Most of our pickers are seasonal and go home after eight weeks. Complaints often come *after* "
      "they leave (late final payments, deductions for transport).\n\n"
      "How do other producers keep a channel open for workers who are no longer on site?",
      kind="question", tags=["seasonal-workers", "agriculture"], days_ago=4,
      replies=[
          R("hannah", "Two things that worked with our cocoa and coffee suppliers:\n\n"
                      "- A WhatsApp number printed on the **pay slip**, so it goes home with them.\n"
                      "- A call from the cooperative to a sample of workers two weeks after the season "
                      "ends, asking specifically about final pay.\n\n"
                      "Both cost little and found real problems in the first year."),
          R("priya", "Adding the hotline to the pay slip is a great idea. The secretariat has a "
                     "template in Spanish; I will post it in the Mexico hub."),
      ], accept=0),

    # --- Anti-corruption ----------------------------------------------------------------
    T("anti-corruption", "omar", "A customs broker wants a 'facilitation fee' to release our shipment",
      "Our shipment of folding cartons has been held at the port for six days. The broker says a "
      "cash \"facilitation fee\" will release it tomorrow. There is no receipt.\n\n"
      "What do other suppliers do in this situation? Our buyer is a consortium member.",
      kind="question", tags=["facilitation-payments", "customs"], days_ago=12,
      replies=[
          R("hannah", "Do not pay it. Facilitation payments are prohibited under the consortium's "
                      "code and under most members' own policies, even when they are small.\n\n"
                      "Tell your buyer today: a late shipment is a commercial problem we can solve "
                      "together, a bribe is not. Ask the broker to put the request in writing."),
          R("daniel", "Same at Lumen. We would rather accept the delay. If it helps, ask the buyer for "
                      "a letter stating their policy; brokers often back down when they see it."),
          R("omar", "We informed the buyer and refused. The shipment was released two days later "
                    "without any payment. Thank you.", to=0),
      ], accept=0),
    T("anti-corruption", "hannah", "Gifts and hospitality during audits: a common policy for suppliers",
      "Auditors from three different firms visit our suppliers. Some suppliers feel obliged to offer "
      "lunch, transport or small gifts, and they ask us where the line is.\n\n"
      "Proposal for a shared consortium rule:\n\n"
      "| Offered to auditors | Allowed? |\n"
      "|---|---|\n"
      "| Water, tea, a simple meal on site | Yes |\n"
      "| Transport from the hotel | Yes, if declared in the report |\n"
      "| Gifts of any value | No |\n"
      "| Cash or vouchers | Never |\n\n"
      "Comments welcome before we take it to the working group.",
      tags=["audits", "policy"], days_ago=8,
      replies=[
          R("meiling", "This would help us a lot. Today each customer has a different rule."),
          R("sofia", "Northwind supports this. We would add: *report any request for a gift* to the "
                     "secretariat, so it reaches the audit firm's management."),
          R("ravi", "Please translate the table into Tamil and Hindi so we can post it at the gate.", to=0),
      ]),
    T("anti-corruption", "meiling", "Due diligence checklist for third-party labour agents",
      "We are replacing two labour agents. Sharing the checklist we use, improvements welcome:\n\n"
      "1. Licence checked with the Ministry of Human Resources.\n"
      "2. Ownership and links to officials declared.\n"
      "3. Fee structure in writing: **zero fees charged to workers**.\n"
      "4. Right to audit the agent's sub-agents in the sending country.\n"
      "5. Termination if any fee charged to a worker is found.",
      tags=["recruitment", "agents"], days_ago=5,
      replies=[
          R("daniel", "Good list. We also interview a sample of workers recruited by the agent in "
                      "the last year, away from the agent, about what they paid at home."),
      ]),

    # --- Land use and land rights -----------------------------------------------------------
    T("land-rights", "hannah", "Free, prior and informed consent when a cooperative expands its plots",
      "One of our cooperatives plans to plant on land next to an indigenous community. The land is "
      "formally unclaimed, but the community uses it for grazing.\n\n"
      "What does a credible **FPIC** process look like at cooperative scale, without hiring a large "
      "consultancy?",
      kind="question", tags=["fpic", "indigenous-peoples"], days_ago=15,
      replies=[
          R("lucia", "We went through this in 2024. What mattered:\n\n"
                     "- Meetings in the community's language, at times they chose.\n"
                     "- Their own advisor, paid from a fund they control.\n"
                     "- Written minutes read back aloud, and the right to say **no**.\n\n"
                     "It took five months. The community agreed to a smaller area and a share of "
                     "the harvest."),
          R("hannah", "Five months is useful to know for planning. Did you document consent per "
                      "family or for the assembly as a whole?", to=0),
          R("lucia", "The assembly, following their own customs. Individual signatures would have "
                     "undermined the community's authority.", to=1),
      ], accept=0),
    T("land-rights", "lucia", "Mapping communal land (ejidos) for a traceability programme",
      "A buyer asks for GPS polygons of every plot. Our land is held by an *ejido* and plots are "
      "allocated by the assembly, not titled individually.\n\n"
      "Has anyone agreed a traceability approach that respects communal tenure?",
      tags=["traceability", "ejido"], days_ago=7,
      replies=[
          R("sofia", "We accepted polygons at ejido level plus a list of producers from the assembly "
                     "for a cotton programme. Ask your buyer whether the regulation behind the request "
                     "really requires plot level."),
          R("hannah", "For EUDR-style requirements plot level is often expected, but the geolocation "
                      "can be collected by the cooperative and shared in aggregate. Happy to talk on a call."),
      ]),
    T("land-rights", "daniel", "Satellite deforestation alerts: which data sources do you trust?",
      "We are comparing GLAD alerts, RADD and a commercial provider for wood and pulp sourcing. "
      "False positives are eating our team's time.\n\nWhat do you use, and how do you verify on the ground?",
      kind="question", tags=["deforestation", "data"], days_ago=2,
      replies=[
          R("omar", "Not an expert, but our paper suppliers ask for the same. A shared consortium "
                    "approach would save everyone work."),
      ]),

    # --- Working conditions and wages (slow mode 30 s) -----------------------------------
    T("working-conditions", "ravi", "Living wage benchmarks for Tiruppur: which one do brands accept?",
      "Three brands asked us for a *living wage gap analysis*, each pointing to a different "
      "benchmark. Our current entry wage is the state minimum plus 12 %.\n\n"
      "Which benchmark should we use so the analysis is accepted by all members?",
      kind="question", tags=["living-wage", "india"], days_ago=20,
      replies=[
          R("sofia", "The consortium agreed last year to accept the **Anker benchmark** for Tiruppur "
                     "where one exists, and the Global Living Wage Coalition's estimate otherwise. "
                     "Include in-kind benefits separately so they can be checked."),
          R("amara", "Confirming Sofia's answer: it is in the members' wage guidance, section 3. "
                     "I have asked the team to link it from this topic's rules."),
      ], accept=0),
    T("working-conditions", "sofia", "Heat stress on factory floors: practical measures before summer",
      "Last summer, two of our suppliers recorded indoor temperatures above 38 °C. Sharing what we are "
      "asking for this year, please add what works for you:\n\n"
      "- Wet-bulb globe temperature (WBGT) measured hourly on the floor.\n"
      "- Extra breaks and cool drinking water above 30 °C WBGT.\n"
      "- Shifted hours on the hottest days, **without loss of pay**.",
      tags=["health-and-safety", "heat"], days_ago=10,
      replies=[
          R("omar", "In the UAE the midday break is law from June to September. Inside the plant "
                    "we added evaporative coolers in packing; 5–6 °C lower for a modest cost."),
          R("meiling", "We give workers a card explaining the signs of heat exhaustion in four languages."),
          R("ravi", "Could you share the card? Our workers speak Tamil, Hindi and Odia.", to=1),
      ]),
    T("working-conditions", "meiling", "Peak season: capping working hours without losing orders",
      "Every year from August to October our lines run 6 days a week and overtime reaches the "
      "legal limit. Two customers now ask for a **60-hour weekly cap** with one day off in seven.\n\n"
      "How do you plan capacity so the cap holds in peak season?",
      tags=["working-hours", "planning"], days_ago=1,
      replies=[
          R("daniel", "Share your capacity with customers in June and ask for firm forecasts. At Lumen "
                      "we now place 70 % of peak orders by June for this reason."),
          R("amara", "The secretariat is collecting examples of buyers' forecasting commitments. "
                     "Please add yours here."),
      ]),

    # --- Regional hubs ----------------------------------------------------------------------
    T("asia-pacific", "lan", "Introductions: who is joining from Vietnam and Cambodia?",
      "Hello everyone, I am Lan, compliance manager at Saigon Stride Footwear near Ho Chi Minh City. "
      "We make sports shoes for two consortium members.\n\n"
      "It would be great to meet other suppliers in Vietnam and Cambodia and compare notes on audits.",
      days_ago=11,
      replies=[
          R("meiling", "Welcome, Lan! We are in Penang. Happy to compare notes on worker dormitories."),
          R("sofia", "Welcome! Northwind sources from two factories in Binh Duong; I will introduce you."),
      ]),
    T("asia-pacific", "sofia", "Aligning audit schedules across members in Asia-Pacific",
      "Several suppliers told us they receive 6–8 social audits a year from different brands. "
      "Proposal: members share their audit calendar for Asia-Pacific suppliers, and accept one "
      "another's recent audits where the standard is the same.\n\nWho is interested in a pilot?",
      tags=["audits"], days_ago=3,
      replies=[
          R("daniel", "Lumen is in. We can share our calendar for Vietnam and Malaysia."),
          R("meiling", "As a supplier: yes please. Audit fatigue is real."),
      ]),
    T("mexico-central-america", "lucia", "Regional meeting in Oaxaca: agenda ideas",
      "We will host the regional meeting at the cooperative in March. Proposed sessions:\n\n"
      "1. Seasonal workers and grievance channels.\n"
      "2. Traceability under communal land tenure.\n"
      "3. Visit to the packing house.\n\n"
      "*Sesiones en español con traducción al inglés.* What else should we cover?",
      days_ago=6,
      replies=[
          R("hannah", "Could we add a session on minimum wage changes and piece rates for pickers?"),
          R("priya", "The secretariat can fund interpretation. Here is the grievance template in "
                     "Spanish I promised: see the Grievance mechanisms topic."),
      ]),
    T("mexico-central-america", "hannah", "Minimum wage increase: impact on piece rates for pickers",
      "With this year's minimum wage increase, how are producers adjusting **piece rates** so a "
      "normal working day still reaches at least the minimum?",
      kind="question", tags=["wages", "agriculture"], days_ago=2,
      replies=[
          R("lucia", "We recalculated the rate per box from time studies in the first week of harvest, "
                     "then checked weekly that at least 95 % of pickers reached the minimum. Those who "
                     "did not were topped up."),
      ], accept=0),
    T("india", "ravi", "Legacy of the Sumangali scheme: what to check in spinning mills",
      "Our yarn comes from three spinning mills in Tamil Nadu. The *Sumangali* scheme (lump sum paid "
      "to young women at the end of a multi-year contract) is officially gone, but we hear of "
      "similar practices.\n\nWhat should we check on our next visits?",
      tags=["spinning-mills", "tier-2"], days_ago=14,
      replies=[
          R("priya", "Check for: deferred wages of any kind, hostels workers cannot leave freely, "
                     "recruitment through brokers in other districts, and workers under 18. Talk to "
                     "workers outside the mill, with a woman interviewer."),
          R("sofia", "Northwind can share the findings of our 2025 spinning mill assessment with you.", to=0),
      ]),
    T("india", "sofia", "Recommended local organisations for worker-voice surveys in Tamil Nadu",
      "We want to run an anonymous worker-voice survey at four garment suppliers. Which local "
      "organisations have you worked with, and how did workers respond?",
      kind="question", days_ago=4,
      replies=[
          R("ravi", "We worked with a women's rights NGO in Tiruppur on our hotline; I can introduce you."),
      ]),
    T("malaysia", "meiling", "Repaying recruitment fees: how did you calculate the amounts?",
      "We are repaying recruitment fees that our workers paid to agents in Nepal and Bangladesh before "
      "2023. Workers' own estimates differ a lot from the agents' records.\n\n"
      "How have others calculated the amounts to repay?",
      kind="question", tags=["recruitment-fees", "remediation"], days_ago=18,
      replies=[
          R("daniel", "We used the **higher** of the worker's estimate and the corridor benchmark for "
                      "that country, plus interest for loans workers took to pay the fees. Where workers "
                      "had receipts, we used those."),
          R("meiling", "Thank you. The corridor benchmark is what we were missing.", to=0),
      ], accept=0),
    T("malaysia", "daniel", "Worker housing under Act 446: what does a certificate actually cover?",
      "Our Malaysian suppliers tell us their dormitories hold an **Act 446** accommodation certificate. "
      "Does the certificate cover occupancy limits and facilities, or only the building?\n\n"
      "What else should we check on a visit?",
      kind="question", tags=["dormitories", "housing"], days_ago=6,
      replies=[
          R("meiling", "The certificate covers the minimum standards in the regulations: space per "
                       "worker, beds, lockers, toilets, kitchen, ventilation. It says nothing about "
                       "**how it is run**. On visits we check that workers can come and go freely, "
                       "that no rent is deducted beyond the legal cap, and that lockers have the "
                       "workers' own keys."),
      ], accept=0),
    T("middle-east", "omar", "Summer midday break: scheduling outdoor loading",
      "From 15 June to 15 September outdoor work is not allowed between 12:30 and 15:00. Our loading "
      "bays are outdoors. We moved loading to early morning and evening. How do others handle "
      "deliveries whose slots are set by the buyer's logistics provider?",
      days_ago=5,
      replies=[
          R("daniel", "We told our logistics provider to offer only slots outside the break at Gulf "
                      "suppliers. It took one email."),
          R("priya", "Good practice: also provide shade and water at the bays outside those hours."),
      ]),
    T("middle-east", "daniel", "Wage Protection System: which evidence should we request?",
      "For suppliers in the UAE, what evidence of on-time wage payment through the **Wage Protection "
      "System** is reasonable to request, without collecting workers' personal data?",
      kind="question", tags=["wages", "uae"], days_ago=8,
      replies=[
          R("omar", "We share the monthly WPS compliance certificate from the ministry portal and the "
                    "salary file summary (number of workers, total paid, payment date). No names."),
      ], accept=0),

    # --- Forced and migrant labour (first two posts of newcomers are held) ---------------
    T("forced-labour", "amara", "Updated guidance: recruitment fees and the Employer Pays Principle",
      "The consortium's updated guidance on recruitment fees is now in force for all members and "
      "suppliers.\n\n"
      "**What changes**\n\n"
      "- *All* recruitment fees and related costs are paid by the employer, including in the "
      "sending country.\n"
      "- Fees found after the date of this guidance are repaid within 90 days.\n"
      "- Suppliers report agents who charge workers to the secretariat.\n\n"
      "Questions are welcome in this topic. The moderators will answer within two working days.",
      kind="announcement", tags=["guidance", "recruitment-fees"], pin=True, days_ago=21,
      replies=[
          R("sofia", "Thank you. Will the secretariat publish the corridor benchmarks for repayment?"),
          R("amara", "Yes, by the end of the month, starting with Nepal–Malaysia and India–UAE.", to=0),
      ]),
    T("forced-labour", "sofia", "How are you verifying that migrant workers paid no recruitment fees?",
      "Our audits rely on worker interviews on site, and workers rarely mention fees there.\n\n"
      "What verification methods have actually found fees that audits missed?",
      kind="question", tags=["recruitment-fees", "verification"], days_ago=13,
      replies=[
          R("meiling", "Three methods found fees that audits missed at our site:\n\n"
                       "1. Interviews **in the workers' language**, off site, by an organisation from "
                       "their home country.\n"
                       "2. Checking loan records: many workers borrowed at home to pay agents.\n"
                       "3. Asking recently arrived workers, before they learn what to say.\n\n"
                       "We found fees in 40 % of our 2023 intake and have repaid them."),
          R("hannah", "We add a question about fees to the pre-departure orientation in the sending "
                      "country and repeat it three months after arrival."),
          R("priya", "This is excellent. Mei Ling, would you present this at the next members' call?", to=0),
          R("meiling", "Happy to.", to=2),
      ], accept=0),
    T("forced-labour", "ravi", "Ending passport retention 'for safekeeping': how we did it",
      "Until 2022 our hostel warden kept workers' ID documents \"for safekeeping\". Workers did not "
      "complain, but it is a forced labour indicator.\n\n"
      "We installed **personal lockers** with workers' own keys and explained why in a meeting with the "
      "workers' committee. Sharing in case it helps others.",
      tags=["documents", "hostels"], days_ago=9,
      replies=[
          R("daniel", "Thank you for sharing. Did any workers still prefer to hand in their documents?"),
          R("ravi", "A few did. They now sign a form saying they can take them back any time, and "
                    "the form is checked in audits.", to=0),
      ]),
    # Lan has posted only once before, so this thread waits in Priya's review queue.
    T("forced-labour", "lan", "Hostel curfews during peak season: is this a forced labour indicator?",
      "Our dormitory has a 22:00 curfew, and during peak season workers on the late shift need the "
      "warden to open the gate. A customer's auditor flagged this as *restriction of movement*.\n\n"
      "Is a curfew acceptable if workers can always leave in an emergency?",
      kind="question", tags=["dormitories", "freedom-of-movement"], days_ago=0.5),
]

# topic, host, co-hosts (members), title, description, starts in (days), hours long, approve questions
LIVE_SESSIONS = [
    ("land-rights", "hannah", ["priya"], "Ask us anything: FPIC at cooperative scale",
     "Hannah Weber (Atlas Foods) and Priya Raman (secretariat), with Lucia Hernandez from "
     "Cooperativa Agrícola Sierra Verde, answer your questions about free, prior and informed "
     "consent. Ask in advance or during the session; questions are reviewed before they appear.",
     3, 1, True),
]


# --- how -------------------------------------------------------------------------------
def seed() -> list[tuple[str, str, str]]:
    """Create the demo data (whatever is missing) and return the logins as (role, email, note).

    The demo's threads are history, not news: the emails their notifications queued are
    dropped, so `make run` does not open by "sending" dozens of them. Its weeks of posts
    are written at once, by the site itself: rate limits do not apply.
    """
    from flask import current_app

    limits_were = current_app.config.get("RATELIMIT_ENABLED")
    current_app.config["RATELIMIT_ENABLED"] = False
    try:
        return _seed()
    finally:
        current_app.config["RATELIMIT_ENABLED"] = limits_were


def _seed() -> list[tuple[str, str, str]]:
    from sqlalchemy import delete, func, select

    from .extensions import db
    from .models import OutboxEmail

    before = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
    _organisations()
    people = _people()
    _pending()
    topics = _topics()
    for key, slugs in MODERATORS.items():
        from .actions.moderation import assign_moderator

        for slug in slugs:
            assign_moderator(None, topics[slug], people[key])
    for spec in THREADS:
        _thread(spec, people, topics)
    _live_sessions(people, topics)
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > before))
    db.session.commit()
    return logins()


def logins() -> list[tuple[str, str, str]]:
    rows = []
    for key, (_name, email, role, _org, note) in PEOPLE.items():
        label = "moderator" if key in MODERATORS else role
        rows.append((label, email, note))
    rows.append(("pending", PENDING[2], PENDING[5]))
    return rows


def _organisations() -> None:
    from . import events
    from .actions.accounts import find_or_create_organisation

    for name, kind, country in ORGANISATIONS:
        find_or_create_organisation(name, kind, country)
    events.commit()


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _people() -> dict[str, User]:
    from .actions.accounts import create_user

    people = {}
    for key, (name, email, role, org, _note) in PEOPLE.items():
        user = _user(email)
        if user is None:
            # The demo's shared, documented password would fail the strength check on purpose.
            user = create_user(email=email, name=name, password=PASSWORD, role=role, organisation=org,
                               check_strength=False)
            if key != "lan":
                # Members of long standing (rate limits treat new accounts as newcomers); Lan
                # is the demo's newcomer, whose first post waits for review.
                user.created_at = user.approved_at = utcnow() - timedelta(days=120)
                db.session.commit()
        people[key] = user
    return people


def _pending() -> None:
    from .actions.accounts import register

    _key, name, email, org, kind, _note = PENDING
    if _user(email) is None:
        register(email=email, name=name, password=PASSWORD, organisation=org, org_kind=kind)


def _topics() -> dict[str, Topic]:
    from .actions.topics import create_topic

    topics = {}
    for slug, settings in TOPICS.items():
        settings = dict(settings)
        position = settings.pop("position")
        topic = db.session.scalar(select(Topic).where(Topic.slug == slug))
        if topic is None:
            topic = create_topic(None, slug=slug, **settings)
            # Ordering on the home page is not one of the editable settings.
            topic.position = position
            db.session.commit()
        topics[slug] = topic
    return topics


def _thread(spec: T, people: dict[str, User], topics: dict[str, Topic]) -> None:
    from .actions.moderation import moderate_thread
    from .actions.posts import reply
    from .actions.threads import accept_answer, start_thread

    topic = topics[spec.topic]
    exists = db.session.scalar(select(Thread.id).where(Thread.topic_id == topic.id, Thread.title == spec.title))
    if exists is not None:
        return
    author = people[spec.who]
    thread, opening = start_thread(author, topic, title=spec.title, body=spec.body, kind=spec.kind,
                                   anonymous=spec.anonymous, tags=spec.tags)
    posts: list[Post] = []
    for r in spec.replies:
        parent = posts[r.to] if r.to is not None else None
        posts.append(reply(people[r.who], thread, r.body, reply_to=parent.id if parent else None,
                           anonymous=r.anonymous))
    if spec.accept is not None:
        accept_answer(author, thread, posts[spec.accept].id)
    if spec.pin:
        moderate_thread(people["amara"], thread, "pin", "Consortium guidance")
    _spread_in_time(thread, [opening, *posts], spec.days_ago)


def _spread_in_time(thread: Thread, posts: list[Post], days_ago: float) -> None:
    """Backdate a freshly seeded thread so the demo reads like weeks of activity, not one second."""
    start = utcnow() - timedelta(days=days_ago)
    # Replies follow within the period, never in the future.
    step = min(timedelta(hours=3), timedelta(days=days_ago) / (len(posts) + 1))
    for i, post in enumerate(posts):
        post.created_at = start + step * i
    thread.created_at = start
    visible = [p for p in posts if p.state == "visible"] or posts[:1]
    thread.last_activity_at = visible[-1].created_at
    db.session.commit()


def _live_sessions(people: dict[str, User], topics: dict[str, Topic]) -> None:
    from .actions.live import schedule
    from .models.live import LiveSession

    for slug, host, cohosts, title, description, in_days, hours, approve in LIVE_SESSIONS:
        topic = topics[slug]
        if db.session.scalar(select(LiveSession.id).where(LiveSession.topic_id == topic.id,
                                                          LiveSession.title == title)) is not None:
            continue
        starts = (utcnow() + timedelta(days=in_days)).replace(hour=14, minute=0, second=0, microsecond=0)
        schedule(people[host], topic, title=title, description=description, starts_at=starts,
                 ends_at=starts + timedelta(hours=hours), hosts=[people[k].id for k in cohosts],
                 approve_questions=approve)
