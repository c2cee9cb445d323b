# The schema's descriptions in English, written from the schema (the spec
# types' doc comments): do not edit, run the tests with CHATROUTE_BLESS=1.

schema = A chatroute integration spec: how messenger channels feed an amoCRM account.
schema-access = Access entries of a channel.
schema-access-everyone = Bulk level of every employee on this channel; an employee's own
    entry overrides it.
schema-accessdetail = Table form of an access entry.
schema-accessdetail-default-outgoing = This channel is the number a client sees when the employee writes
    first. At most one per employee; needs `read_send`.
schema-accessdetail-level = Access level; `read` when absent.
schema-accessentry = An employee's access on a channel: a level, or a table with the level
    and the default-outgoing mark.
schema-accessentry-anyof-0 = Just the level.
schema-accessentry-anyof-1 = Level plus options.
schema-afterclose = What a message after the deal was closed does.
schema-afterclose-oneof-0 = Append to the contact's last closed deal, create none (kitchens:
    thanks and repair requests).
schema-afterclose-oneof-1 = Create a new deal (wholesale: reorders every month or two).
schema-assignment = Who becomes responsible for a new deal.
schema-assignment-after-close = A message after the contact's last deal was closed: append it to that
    deal or create a new one. `round_robin` only; `first_responder`
    always creates a new deal.
schema-assignment-max-reassignments = How many times a deal may be passed on; then it stays. Default 1.
schema-assignment-members = The employees taking part, in cycle order.
schema-assignment-mode = `round_robin`: members in turn, by weight; `first_responder`: whoever
    of the group answers first.
schema-assignment-reassign-after = Pass a deal on when its responsible has not replied within this
    time (`90s`, `15m`, `2h`): to the member the cycle gives next who
    can take it and has not had it (round_robin only; deals with ids).
schema-assignment-returning-clients = A new deal of a client who already has an owner: `cycle` (the
    default) or `owner` (round_robin only).
schema-assignment-skip-unavailable = Skip members who are unavailable (offline, on holiday) at the moment
    of the decision: round robin goes on among the others by their
    weights; first responder offers the deal only to them. Default
    `false`, as in the source. A channel's own assignment that does not
    set it follows `[assignment]`: availability and working hours are
    the employees', the same on every channel.
schema-assignment-when-nobody = What happens to a deal when every member is unavailable or full
    (`max_open`): `unassigned` (the default; the global chat shows it as
    without a responsible) or `assign_anyway` (ignore availability;
    capacity stays a hard limit).
schema-channel = A messenger channel of the account.
schema-channel-access = Access per employee handle; `everyone` sets every employee at once.
schema-channel-assignment = Overrides the integration-wide assignment for this channel.
schema-channel-enabled = The checkbox: whether this channel is part of the integration.
schema-channel-handle = The account's username (instagram, telegram bots ending in `bot`,
    tgapi), with or without `@`.
schema-channel-id = The account's id as Wazzup shows it (vk, avito, max).
schema-channel-name = Display name; may be renamed freely, the table key is the stable id.
schema-channel-new-deals = Pipeline and stage for new deals from this channel; overrides
    `defaults.new_deals`.
schema-channel-phone = The channel's phone number (whatsapp, wapi, tgapi), international:
    `+7 999 000-00-01`, or the digits as Wazzup shows them, `79990000001`.
schema-channel-transport = Messenger transport.
schema-copydialog = Dialog copy mode.
schema-copydialog-oneof-0 = Every message separately.
schema-copydialog-oneof-1 = All messages of an hour in one note (the most popular; the default).
schema-copydialog-oneof-2 = All messages of a day in one note.
schema-copydialog-oneof-3 = Never (WhatsApp is the main channel).
schema-dealcard = The deal card.
schema-dealcard-copy-dialog = How the dialog is copied into the deal card.
schema-defaults = Defaults inherited by every channel.
schema-defaults-access = Bulk access of every employee on every channel ("add all" = `read`,
    "remove all" = `none`). Overridden by a channel's `everyone` and by an
    employee's own entry.
schema-defaults-new-deals = Pipeline and stage for new deals on channels without their own.
schema-employee = A person who may read or answer dialogs and own deals.
schema-employee-crm-user = amoCRM user id. When absent, `--crm` resolves the employee by exact
    name or email.
schema-employee-email = Login email in amoCRM; used to resolve the CRM user when `crm_user`
    is absent.
schema-employee-name = Display name, as in amoCRM.
schema-employee-schedule = Working hours: the name of a `[schedules.NAME]` table.
schema-globalchat = The global chat window.
schema-globalchat-admins = Chat admins who see everything (`own_and_unassigned` only). An admin
    is an observer and should not take deals.
schema-globalchat-visibility = `all`: every manager sees every dialog; `own_and_unassigned`: own
    dialogs plus those without a responsible.
schema-hours = One interval or several.
schema-hours-anyof-0 = One interval, `"09:00-18:00"`.
schema-hours-anyof-1 = Several, `["10:00-12:00", "12:30-14:00"]`.
schema-integration = The integration as a whole.
schema-integration-account = amoCRM account subdomain (the `acme` of `acme.amocrm.ru`).
schema-integration-enabled = `false` keeps the spec but disables the integration: its table routes
    nothing ("Delete integration" without losing the settings).
schema-integration-timezone = IANA time zone of the schedules that do not name their own
    (`Europe/Moscow`).
schema-level = Access level of an employee on a channel.
schema-level-oneof-0 = No access: the channel's dialogs are invisible.
schema-level-oneof-1 = Read only: sees the dialogs, cannot answer.
schema-level-oneof-2 = Reads and sends messages.
schema-member = One member of an assignment.
schema-member-employee = Employee handle.
schema-member-max-open = At most this many open deals at once (deals chatroute assigned and
    not yet closed, across channels); a full member is skipped.
schema-member-weight = Consecutive deals per cycle (`round_robin` only). Default 1.
schema-mode = Assignment mode.
schema-mode-oneof-0 = Members in turn; a member of weight w gets w consecutive deals.
schema-mode-oneof-1 = The deal goes to whoever in the group answers first.
schema-nameorid = A CRM object named by its name or its numeric amoCRM id.
schema-nameorid-anyof-0 = amoCRM id.
schema-nameorid-anyof-1 = Name as shown in amoCRM.
schema-phones = Phone number normalisation.
schema-phones-client-regions = ISO 3166-1 alpha-2 codes of the countries clients write from.
schema-phones-to-international = Rewrite 11-digit numbers written with the trunk prefix 8
    (`8 912 345-67-89`) to `+7...`; WhatsApp needs `+7`. Harmful for
    clients in Japan, China, South Korea.
schema-returningclients = Who gets a new deal of a client who already has an owner.
schema-returningclients-oneof-0 = The cycle decides, as for any client (the source's behaviour).
schema-returningclients-oneof-1 = The client's owner, when they can take it (read_send on the
    channel, available, in hours, under their limit), without using a
    cycle position; otherwise the cycle.
schema-schedule = A weekly schedule: days or day ranges to intervals, dates off, a zone.
schema-schedule-off = Dates without work (`YYYY-MM-DD`, in the schedule's zone).
schema-schedule-timezone = IANA time zone of this schedule; `[integration] timezone` when absent.
schema-stageref = A pipeline and stage, each by name or by amoCRM id.
schema-stageref-pipeline = Pipeline name or amoCRM pipeline id.
schema-stageref-stage = Stage (status) name or amoCRM status id. Never the Unsorted stage,
    never a closed one (won 142, lost 143).
schema-transport = Messenger transport of a channel, as Wazzup spells it (API v3
    `transport`). Each is addressed by one key: see `Transport::address`.
schema-transport-oneof-0 = WhatsApp number; needs `phone`.
schema-transport-oneof-1 = WhatsApp Business API number; needs `phone`.
schema-transport-oneof-2 = Instagram account; needs `handle` (`@acme.art`).
schema-transport-oneof-3 = Personal Telegram account; needs `phone` or `handle`.
schema-transport-oneof-4 = Telegram bot; needs `handle`, the bot's username ending in `bot`.
schema-transport-oneof-5 = VK community; needs `id`, the community's numeric id.
schema-transport-oneof-6 = Avito account; needs `id`, the numeric user id.
schema-transport-oneof-7 = MAX messenger; needs `id` as Wazzup shows it.
schema-visibility = Global chat visibility.
schema-visibility-oneof-0 = Every manager sees every dialog (small teams that stand in for each other).
schema-visibility-oneof-1 = Own dialogs plus dialogs without a responsible (departments with own clients).
schema-whennobody = When nobody can take a deal.
schema-whennobody-oneof-0 = Leave the deal without a responsible.
schema-whennobody-oneof-1 = Give it to the next member in turn even if unavailable (never
    past `max_open`).
schema-spec-assignment = Who becomes responsible for new deals, integration-wide. A channel may
    override it with its own `assignment` table.
schema-spec-channels = Channels by stable id (the table key). Only enabled channels are
    part of the integration.
schema-spec-deal-card = How dialogs are copied into the deal card.
schema-spec-defaults = Integration-wide defaults that channels inherit.
schema-spec-employees = Employees by handle. The handle is how the rest of the spec refers to
    a person; `everyone` is reserved.
schema-spec-global-chat = What the shared "global chat" window shows to whom.
schema-spec-integration = The amoCRM account this spec configures and whether it is active.
schema-spec-schedules = Weekly working hours by name; employees name theirs with
    `schedule`. Outside them an employee counts as unavailable where
    `skip_unavailable = true`.
schema-spec-version = Spec format version. This release reads version 1.
