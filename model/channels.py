"""How a worker was reached this month (contact) and through which channel they enrolled."""

# Contact codes (uint8 per worker, reset every month). A higher code wins when several reach one.
NO_CONTACT, CAMPAIGN_CONTACT, VILLAGE_CONTACT, PERISAI_CONTACT = 0, 1, 2, 3

# Enrollment channels (uint8). 0 = not enrolled this month.
UNSET, SELF, CAMPAIGN, VILLAGE, PERISAI, SUBSIDY, FIRMS, JOBS, PILOT = range(9)
CHANNEL_NAMES = {
    SELF: "self",          # own motivation or peers
    CAMPAIGN: "campaign",  # reached by socialization this month
    VILLAGE: "village",    # approached by an activated village's promoter
    PERISAI: "perisai",    # visited and registered by a Perisai agent
    SUBSIDY: "subsidy",    # enrolled (or re-activated) by a government-paid programme
    FIRMS: "firms",        # employer registered workers after a partnership or an inspection
    JOBS: "jobs",          # job moves, firms registering on their own, construction projects
    PILOT: "pilot",        # a pilot's treatment (see model/pilot.py)
}

# The channel an informal joiner is credited to, by the contact that reached them.
CHANNEL_OF_CONTACT = {
    NO_CONTACT: SELF,
    CAMPAIGN_CONTACT: CAMPAIGN,
    VILLAGE_CONTACT: VILLAGE,
    PERISAI_CONTACT: PERISAI,
}
