"""Who may open what: every URL name × every persona, written out by hand from docs/design.md
("Roles and scope"), never read off the views' own `allow()` rules. tests/test_access_sweep.py
visits each line with GET and POST and fails on any difference, on a URL name that has no line
here, and on a line whose URL name no longer exists.

Personas (tests/conftest.py), in column order:
    anon  signed out
    min   the ministry official
    o_hn  the provincial officer of Hà Nội
    o_ct  the provincial officer of Cần Thơ
    lead  the leader of the Hà Nội peer group "Sao đêm"
    prov  the staff of the Hà Nội provider "Trung tâm CTXH Hà Nội"
    adm   the administrator
    out   a signed-in account with no role

Answers:
    ok    the page works (what that means per method is the URL's kind, below)
    go    a redirect elsewhere than the sign-in page (302), with either method
    in    sent to sign in first (a redirect to the sign-in page that comes back here)
    403   refused: not this role's page (whatever the method or the record)
    ro    this persona's role may use the page, and may read the record but not change it: 403
    404   the record is outside this persona's scope (its existence is not revealed)

Kinds (what `ok`, `ro` and `404` mean per method):
    PAGE  GET 200; POST 200 too (a POST without data re-shows the form with its errors)
    POST  a change made by POST only: GET 405 to anyone past the role check; `ok` is a 302
    GET   read-only: `ok` is a 200 to GET; POST 405 to anyone past the role check
    JSON  an endpoint of the page scripts: `ok` is a 200 to GET; a POST without a body is
          refused as malformed (400)
    ASK   a question a page script asks by POST (what it sends must not sit in an address):
          GET 405 to anyone past the role check; `ok` is a 200 to POST (an empty one answers no)

Records: a URL with an id is filled with a Hà Nội record named in the line's second column
(tests/urlsweep.py `one_of_each`): the site HN-HM-PG, its peer group Sao đêm (the leader's),
and at that site an establishment, a cost, a training, a participant the group enrolled, a
contact and a referral the group made (sent to the persona's provider), a support given, a
rights assessment and an establishment assessment. So the Cần Thơ officer meets records of
another province, and the placeholder id 999999 is tried as well.

A key names the values of text arguments after the URL name: "exchange:export kind=costs". For
the reporting cycle, Hà Nội's 2018Q1 is approved and published, its 2018Q2 submitted.
"""

# The table is laid out as columns, wider than the usual line.
# ruff: noqa: E501

PERSONAS = ("anon", "min", "o_hn", "o_ct", "lead", "prov", "adm", "out")
PAGE, POST, GET, JSON, ASK = "PAGE", "POST", "GET", "JSON", "ASK"

# fmt: off
TABLE = {
    #                                                                       anon min  o_hn o_ct lead prov adm  out
    # Signing in and out and the language switch are open to everyone; a signed-in visitor of
    # the sign-in page is sent on. Home, the password and the second-factor check (which sends
    # on anyone without a second factor, as every persona here) are every role's own account
    # ("nothing but their own account"); an account with no role gets none.
    "set_language":                                  (PAGE, None,          "go   go   go   go   go   go   go   go"),
    "login":                                         (PAGE, None,          "ok   go   go   go   go   go   go   go"),
    "logout":                                        (POST, None,          "ok   ok   ok   ok   ok   ok   ok   ok"),
    "home":                                          (PAGE, None,          "in   ok   ok   ok   ok   ok   ok   403"),
    "password_change":                               (PAGE, None,          "in   ok   ok   ok   ok   ok   ok   403"),
    "password_change_done":                          (GET,  None,          "in   ok   ok   ok   ok   ok   ok   403"),
    "otp_verify":                                    (PAGE, None,          "in   go   go   go   go   go   go   403"),
    # The second factor is offered to the national accounts (ministry, administrator).
    "otp_setup":                                     (PAGE, None,          "in   ok   403  403  403  403  ok   403"),
    # The audit history is the administrator's.
    "audit_log":                                     (GET,  None,          "in   403  403  403  403  403  ok   403"),
    "audit_export":                                  (GET,  None,          "in   403  403  403  403  403  ok   403"),

    # Programme structure (sites, establishments, groups, costs, trainings): the ministry reads
    # it all (the exports and the cost-per-site estimate are built on it) and changes nothing;
    # an officer reads and changes their own province (another province's record: 404); a peer
    # leader sees their own group and its site only; provider staff none of it.
    "sites:site_list":                               (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "sites:site_detail":                             (PAGE, "site",        "in   ok   ok   404  ok   403  ok   403"),
    "sites:site_create":                             (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "sites:site_edit":                               (PAGE, "site",        "in   403  ok   404  403  403  ok   403"),
    "sites:site_deactivate":                         (POST, "site",        "in   403  ok   404  403  403  ok   403"),
    "sites:site_reactivate":                         (POST, "site",        "in   403  ok   404  403  403  ok   403"),
    "sites:establishment_list":                      (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "sites:establishment_detail":                    (PAGE, "estab",       "in   ok   ok   404  403  403  ok   403"),
    "sites:establishment_create":                    (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "sites:establishment_edit":                      (PAGE, "estab",       "in   403  ok   404  403  403  ok   403"),
    "sites:establishment_deactivate":                (POST, "estab",       "in   403  ok   404  403  403  ok   403"),
    "sites:establishment_reactivate":                (POST, "estab",       "in   403  ok   404  403  403  ok   403"),
    "sites:peergroup_list":                          (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "sites:peergroup_mine":                          (PAGE, None,          "in   403  403  403  go   403  403  403"),
    "sites:peergroup_detail":                        (PAGE, "group",       "in   ok   ok   404  ok   403  ok   403"),
    "sites:peergroup_create":                        (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "sites:peergroup_edit":                          (PAGE, "group",       "in   403  ok   404  403  403  ok   403"),
    "sites:peergroup_deactivate":                    (POST, "group",       "in   403  ok   404  403  403  ok   403"),
    "sites:peergroup_reactivate":                    (POST, "group",       "in   403  ok   404  403  403  ok   403"),
    "sites:cost_list":                               (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "sites:cost_detail":                             (PAGE, "cost",        "in   ok   ok   404  403  403  ok   403"),
    "sites:cost_create":                             (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "sites:cost_edit":                               (PAGE, "cost",        "in   403  ok   404  403  403  ok   403"),
    "sites:training_list":                           (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "sites:training_detail":                         (PAGE, "training",    "in   ok   ok   404  403  403  ok   403"),
    "sites:training_create":                         (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "sites:training_edit":                           (PAGE, "training",    "in   403  ok   404  403  403  ok   403"),

    # Participants and contacts are participant-level: never the ministry, never provider
    # staff. An officer sees and changes those of their province; a peer leader sees their
    # group's, enrols and logs contacts, but changes nothing else (withdrawal is the officer's).
    "participants:participant_list":                 (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "participants:enrol":                            (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "participants:participant_detail":               (PAGE, "participant", "in   403  ok   404  ok   403  ok   403"),
    "participants:participant_withdraw":             (PAGE, "participant", "in   403  ok   404  403  403  ok   403"),
    "participants:contact_list":                     (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "participants:contact_new":                      (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "participants:contact_done":                     (PAGE, "contact",     "in   403  ok   404  ok   403  ok   403"),
    # The new-person step of the contact form has nothing to do until a look-up found nobody.
    "participants:contact_enrol":                    (PAGE, None,          "in   403  go   go   go   403  go   403"),
    # Whether the contact form's UIC answers find nobody (the form then asks the enrolment).
    "participants:contact_lookup":                   (ASK,  None,          "in   403  ok   ok   ok   403  ok   403"),
    # A contact is corrected by whoever recorded it, or by the province (this one was recorded
    # by neither persona of the group's side: the leader may read it, not correct it).
    "participants:contact_edit":                     (PAGE, "contact",     "in   403  ok   404  ro   403  ok   403"),
    # Assessments at establishments are the officer's field work in their province.
    "participants:rights_assessment_list":           (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "participants:rights_assessment_new":            (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "participants:rights_assessment_edit":           (PAGE, "rights",      "in   403  ok   404  403  403  ok   403"),
    "participants:establishment_assessment_list":    (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "participants:establishment_assessment_new":     (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "participants:establishment_assessment_edit":    (PAGE, "estab_check", "in   403  ok   404  403  403  ok   403"),

    # Referrals: an officer follows up their province's, a peer leader makes them for their
    # group (and sees those), provider staff see the ones sent to their organisation and record
    # received / completed / declined — not "lost", which is the referring side's call. The
    # ministry sees none (participant-level). Only officers and administrators change a status
    # otherwise: the leader's part is making the referral.
    "referrals:referral_list":                       (PAGE, None,          "in   403  ok   ok   ok   ok   ok   403"),
    "referrals:followup":                            (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "referrals:referral_new":                        (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "referrals:referral_needs":                      (PAGE, "contact",     "in   403  ok   404  ok   403  ok   403"),
    "referrals:referral_detail":                     (PAGE, "referral",    "in   403  ok   404  ok   ok   ok   403"),
    "referrals:referral_transition action=receive":  (POST, "referral",    "in   403  ok   404  403  ok   ok   403"),
    "referrals:referral_transition action=complete": (POST, "referral",    "in   403  ok   404  403  ok   ok   403"),
    "referrals:referral_transition action=decline":  (POST, "referral",    "in   403  ok   404  403  ok   ok   403"),
    "referrals:referral_transition action=lose":     (POST, "referral",    "in   403  ok   404  403  ro   ok   403"),
    # Declining asks for a reason from a fixed list and a confirmation on a page of its own.
    "referrals:referral_decline":                    (PAGE, "referral",    "in   403  ok   404  403  ok   ok   403"),
    # So does marking one lost to follow-up (the referring side's call: not provider staff).
    "referrals:referral_lose":                       (PAGE, "referral",    "in   403  ok   404  403  403  ok   403"),
    # The provider directory is national reference data every role reads (provider staff their
    # own entry); an officer changes their own province's providers: another province's entry is
    # readable, so changing it is refused (ro), not hidden.
    "referrals:provider_list":                       (PAGE, None,          "in   ok   ok   ok   ok   ok   ok   403"),
    "referrals:provider_detail":                     (PAGE, "provider",    "in   ok   ok   ok   ok   ok   ok   403"),
    "referrals:provider_create":                     (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "referrals:provider_edit":                       (PAGE, "provider",    "in   403  ok   ro   403  403  ok   403"),
    "referrals:provider_deactivate":                 (POST, "provider",    "in   403  ok   ro   403  403  ok   403"),
    "referrals:provider_reactivate":                 (POST, "provider",    "in   403  ok   ro   403  403  ok   403"),
    # Support given (amounts, for the cost analysis) is recorded by the province.
    "referrals:support_list":                        (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "referrals:support_new":                         (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "referrals:support_edit":                        (PAGE, "support",     "in   403  ok   404  403  403  ok   403"),

    # Reports: the ministry and administrators nationally, an officer their province, a leader
    # their group's summary; the national export is national, so not a province's.
    "reports:dashboard":                             (PAGE, None,          "in   ok   ok   ok   ok   403  ok   403"),
    "reports:national_export":                       (PAGE, None,          "in   go   403  403  403  403  go   403"),
    # The reporting cycle: a province submits its closed period, the ministry approves or
    # returns it and publishes; the administrator oversees (reads) but neither submits for a
    # province nor takes the ministry's decisions. An officer reaches only their own province's
    # review (another's: 404). Published releases are read nationally, not by a peer group.
    "reports:cycle":                                 (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "reports:cycle_period period=2018Q2":            (PAGE, None,          "in   ok   go   go   403  403  ok   403"),
    "reports:cycle_province period=2018Q2 province=01": (PAGE, None,        "in   ok   ok   404  403  403  ok   403"),
    "reports:cycle_submit period=2018Q2":            (POST, None,          "in   403  ok   ok   403  403  403  403"),
    "reports:cycle_decide period=2018Q2 province=01": (POST, None,         "in   ok   403  403  403  403  403  403"),
    "reports:cycle_publish period=2018Q2":           (POST, None,          "in   ok   403  403  403  403  403  403"),
    "reports:release_list":                          (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "reports:release_detail period=2018Q1":          (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "reports:release_print period=2018Q1":           (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),

    # Imports: officers for their province, administrators. The blank template holds no data.
    # Exports follow the list pages: structure files for the ministry and the officers, the
    # participant-level files for the officers and (their group's) the leader.
    "exchange:import":                               (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "exchange:template":                             (PAGE, None,          "in   ok   ok   ok   ok   ok   ok   403"),
    "exchange:export kind=sites":                    (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "exchange:export kind=peer_groups":              (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "exchange:export kind=establishments":           (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "exchange:export kind=costs":                    (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "exchange:export kind=trainings":                (PAGE, None,          "in   ok   ok   ok   403  403  ok   403"),
    "exchange:export kind=participants":             (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "exchange:export kind=contacts":                 (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "exchange:export kind=referrals":                (PAGE, None,          "in   403  ok   ok   ok   403  ok   403"),
    "exchange:export kind=rights_assessments":       (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "exchange:export kind=establishment_assessments": (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),

    # Working offline: the service worker, the manifest and the "no network" page hold no data
    # and load before anyone signs in. The queue's endpoint and the list of what a phone sent
    # are for the roles that log contacts, enrol and refer (each sees only their own); the
    # display codes for look-up on the phone are a leader's group's.
    "offline:service_worker":                        (GET,  None,          "ok   ok   ok   ok   ok   ok   ok   ok"),
    "offline:manifest":                              (GET,  None,          "ok   ok   ok   ok   ok   ok   ok   ok"),
    "offline:fallback":                              (GET,  None,          "ok   ok   ok   ok   ok   ok   ok   ok"),
    "offline:sync":                                  (JSON, None,          "in   403  ok   ok   ok   403  ok   403"),
    "offline:codes":                                 (GET,  None,          "in   403  403  403  ok   403  403  403"),
    "offline:submission_list":                       (GET,  None,          "in   403  ok   ok   ok   403  ok   403"),
    "offline:submission_resolve":                    (POST, None,          "in   403  ok   ok   ok   403  ok   403"),

    # Data protection (privacy/): an officer prints the access summary of the person in front of
    # them, from their own province's records (an administrator, nationally); erasure on
    # request, its certificates, the register of erasures and the harvesting alerts are the
    # administrator's; the impact-assessment dossier is for those who file it.
    "privacy:access_summary":                        (PAGE, None,          "in   403  ok   ok   403  403  ok   403"),
    "privacy:erasure":                               (PAGE, None,          "in   403  403  403  403  403  ok   403"),
    "privacy:erasure_list":                          (GET,  None,          "in   403  403  403  403  403  ok   403"),
    "privacy:erasure_certificate":                   (GET,  "erasure",     "in   403  403  403  403  403  ok   403"),
    "privacy:alert_list":                            (PAGE, None,          "in   403  403  403  403  403  ok   403"),
    "privacy:dossier":                               (GET,  None,          "in   ok   ok   ok   403  403  ok   403"),
}
# fmt: on
