"""The URL names the leak matrix does not reach, each with the reason it need not
(tests/core/test_url_coverage.py). Every other URL name of the project must be reached by a
leak case (tests/<app>/leak_cases*.py): its read, restricted, collection, sample, related or
POST URLs.

An exemption is for a page that shows no follow-up record: public data, one's own account or
settings, a territory's reference data, or a page tested elsewhere because the matrix's
actor × visibility model does not fit it (personal objects, secret addresses).
"""

_ACCOUNT = "accounts and memberships, not follow-up (tests/accounts/)"
_CATALOGUE = (
    "the aid catalogue is open data, edited by the TI manager (tests/aids/test_catalogue.py)"
)
_ALERTS = (
    "saved searches and their subscribers belong to their owner, not to an EPCI "
    "(tests/aids/test_alerts.py)"
)
_NEWSLETTER = (
    "the newsletter's team pages: TI managers of the list's territory only (tests/outreach/)"
)
_GUIDE = (
    "the interview guide is a territory's questionnaire, not follow-up; edited by the TI "
    "manager (tests/accompaniment/test_guide_services.py, test_views.py)"
)

_EVENTS = (
    "events are public information of the territory; their registrations, personal data, are "
    "read by who runs the event only (tests/events/)"
)

_GOVERNANCE = (
    "governance bodies and meetings are the territory's organisation, read by its member "
    "organisations; bilateral meetings by the EPCI and the TI managers (tests/governance/)"
)

EXEMPT_NAMESPACES: dict[str, str] = {
    "admin": "technical admin: no follow-up model is registered and audit events show no "
    "content (tests/core/test_admin_followup.py; crawled in tests/core/test_crawl.py)",
    "api": "the JSON API v1: not pages; a token reads through the same access layer, tested "
    "by its own matrix, every list and detail endpoint × actor × specimen "
    "(tests/api/test_access.py), and against its OpenAPI document (tests/api/)",
    "legal": "public legal pages (mentions légales, données personnelles, accessibilité, "
    "cookies) and the register of processings (TI managers and administrators): no follow-up "
    "record (tests/legal/)",
}

EXEMPT: dict[str, str] = {
    "healthz": "public health check: no data (tests/core/test_healthz.py)",
    # Accounts: login, password, invitations, members, the current membership.
    "accounts:login": "the login page, before any account",
    "accounts:logout": "ends the session",
    "accounts:password_reset": _ACCOUNT + ", test_password_reset.py",
    "accounts:password_reset_done": _ACCOUNT + ", test_password_reset.py",
    "accounts:password_reset_confirm": _ACCOUNT + ", test_password_reset.py",
    "accounts:password_reset_complete": _ACCOUNT + ", test_password_reset.py",
    "accounts:members": _ACCOUNT + ", test_members.py",
    "accounts:invitation_create": _ACCOUNT + ", test_invitation.py",
    "accounts:invitation_revoke": _ACCOUNT + ", test_invitation.py",
    "accounts:invitation_accept": _ACCOUNT + ", test_invitation.py",
    "api_tokens:list": "one's own API tokens, no follow-up (tests/api/test_tokens.py)",
    "api_tokens:revoke": "revokes one of one's own API tokens (tests/api/test_tokens.py)",
    "accounts:switch_membership": "one's own current membership (POST), "
    "tests/core/test_dashboard.py",
    # Company base: public SIRENE data, identical for every member.
    "companies:directory": "public SIRENE data; its « suivis » filter counts only visible "
    "follow-up (tests/companies/test_directory.py, tests/contacts/test_establishment_leaks.py)",
    "companies:export": "public SIRENE data, the directory's search "
    "(tests/companies/test_directory.py)",
    "companies:sectors": "filières: a territory's reference data (tests/companies/test_sectors.py)",
    "companies:sector_create": "filières, TI manager only (tests/companies/test_sectors.py)",
    "companies:sector_edit": "filières, TI manager only (tests/companies/test_sectors.py)",
    "companies:imports": "SIRENE imports, platform administrators only "
    "(tests/companies/test_import_jobs.py)",
    "companies:import_progress": "SIRENE imports, platform administrators only "
    "(tests/companies/test_import_jobs.py)",
    # Prospecting: the territory's score weights, one's own calendar feed.
    "prospecting:weights": "score weights: a territory setting; the score reads only visible "
    "campaigns (tests/prospecting/test_scoring.py)",
    "prospecting:feed": "settings of one's own calendar feed (tests/prospecting/test_feed.py)",
    "prospecting:ics": "per-user secret address, serving only what its owner sees "
    "(tests/prospecting/test_feed.py)",
    # Accompaniment: the interview guide.
    "accompaniment:guide": _GUIDE,
    "accompaniment:guide_install": _GUIDE,
    "accompaniment:guide_version": _GUIDE,
    "accompaniment:guide_draft": _GUIDE,
    "accompaniment:guide_publish": _GUIDE,
    "accompaniment:guide_discard": _GUIDE,
    "accompaniment:question_add": _GUIDE,
    "accompaniment:question_edit": _GUIDE,
    "accompaniment:question_delete": _GUIDE,
    "accompaniment:question_move": _GUIDE,
    # Aids: the catalogue, alerts, the calendar feed, informing the EPCIs.
    "aids:create": _CATALOGUE,
    "aids:edit": _CATALOGUE,
    "aids:delete": _CATALOGUE,
    "aids:window_create": _CATALOGUE,
    "aids:window_edit": _CATALOGUE,
    "aids:window_delete": _CATALOGUE,
    "aids:import": "etalab catalogue import, catalogue editors only (tests/aids/test_etalab.py)",
    "aids:searches": _ALERTS,
    "aids:search": _ALERTS,
    "aids:search_delete": _ALERTS,
    "aids:subscribe": _ALERTS,
    "aids:subscription_remove": _ALERTS,
    "aids:confirm": _ALERTS + "; the confirmation link is the secret",
    "aids:unsubscribe": _ALERTS + "; the unsubscription link is the secret",
    "aids:feed": "settings of one's own calls calendar feed (tests/aids/test_calendar.py)",
    "aids:ics": "per-user secret address of the public calls calendar "
    "(tests/aids/test_calendar.py)",
    "aids:inform": "a territory action on a public scheme, not on one record: only the TI "
    "manager (404 to others), each EPCI sent only its own establishments "
    "(tests/aids/test_detection.py); the dispatches it writes are the aid_dispatch case",
    # Applications: the import of a tracking spreadsheet.
    "applications:import": "a territory action, not on one record: TI managers of the current "
    "territory only, 404 to others (tests/applications/test_import_page.py); the applications "
    "it writes are the application case",
    # Outreach: the newsletter is not follow-up of an EPCI; the TI managers of the list's
    # territory manage it (404 to everyone else, tests/outreach/); public pages by secret.
    "outreach:issues": _NEWSLETTER,
    "outreach:issue_create": _NEWSLETTER,
    "outreach:issue": _NEWSLETTER,
    "outreach:issue_edit": _NEWSLETTER,
    "outreach:issue_preview": _NEWSLETTER,
    "outreach:issue_status": _NEWSLETTER,
    "outreach:issue_test": _NEWSLETTER,
    "outreach:issue_send": _NEWSLETTER,
    "outreach:issue_progress": _NEWSLETTER,
    "outreach:subscribers": _NEWSLETTER,
    "outreach:subscriber_create": _NEWSLETTER,
    "outreach:subscribers_from_contacts": _NEWSLETTER,
    "outreach:blocked": _NEWSLETTER,
    "outreach:subscriber": _NEWSLETTER,
    "outreach:subscriber_edit": _NEWSLETTER,
    "outreach:subscriber_unsubscribe": _NEWSLETTER,
    "outreach:subscriber_export": _NEWSLETTER,
    "outreach:subscriber_erase": _NEWSLETTER,
    "outreach:web": "the web version of a sent issue: public by design, at an unguessable "
    "address (tests/outreach/)",
    "outreach:unsubscribe": "one-click unsubscription: the signed token is the secret, no "
    "session (tests/outreach/)",
    "outreach:subscribe": "public registration form of a territory's list, double opt-in "
    "(tests/outreach/)",
    "outreach:confirm": "the confirmation link of the double opt-in: the token is the secret "
    "(tests/outreach/)",
    "outreach:settings": _NEWSLETTER + ", test_statistics.py",
    "outreach:open": "the open pixel of a message: the signed token is the secret, no session, "
    "404 unless the list's tracking is on (tests/outreach/test_statistics.py)",
    "outreach:click": "the click redirection of a message: signed token, redirects only to a "
    "link of that issue, 404 unless tracking is on (tests/outreach/test_statistics.py)",
    # Events: public information of the territory; registrations are personal data read by
    # who runs the event (404 to others, tests/events/test_views.py); the
    # follow-up they leave is the « event attendance » case, on the establishment's page.
    "events:list": _EVENTS,
    "events:create": _EVENTS,
    "events:detail": _EVENTS,
    "events:edit": _EVENTS,
    "events:registration_add": _EVENTS,
    "events:checkin": _EVENTS,
    "events:signin_sheet": _EVENTS,
    "events:followup": _EVENTS,
    "events:registration_cancel": _EVENTS,
    "events:registration_establishment": _EVENTS,
    "events:registration_attendance": _EVENTS,
    "events:register": "public registration page of a published event, no account (tests/events/)",
    "events:cancel": "self-cancellation by the signed link of the emails (tests/events/)",
    # Governance: the territory's bodies and meetings, not follow-up; bilateral meetings with
    # an EPCI are read by its members and the TI managers only (tests/governance/).
    "governance:body_create": _GOVERNANCE,
    "governance:minutes_circulate": _GOVERNANCE,
    "governance:minutes_lock": _GOVERNANCE,
    "governance:addendum_add": _GOVERNANCE,
    "governance:invitations_send": _GOVERNANCE,
    # Territory projects: the blank form of a new project (its lead EPCIs are those the user
    # writes on); the projects it writes are the « territory project » case.
    "territory_projects:create": "a blank form, no record: the lead EPCIs offered are those the "
    "user writes on, 403 to who writes none (tests/territory_projects/test_views.py)",
    # Indicators: aggregates of what the reader may see (tests/indicators/), never records.
    "indicators:bilan": "figures computed through visible_to(reader): tests/indicators/",
    "indicators:bilan_pdf": "figures computed through visible_to(reader): tests/indicators/",
    "linkedin:page": "statistics of the territory's public LinkedIn page, not follow-up: "
    "the same for every reader; import by TI managers (tests/linkedin/test_views.py)",
}
