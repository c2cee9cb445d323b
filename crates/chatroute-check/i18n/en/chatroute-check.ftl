# chatroute's diagnostics in English: each message, label, help and fix
# title of every code, named `crNNN-...` after the code.

## Default outgoing channel (CR301-CR303)

cr301-message = `{ $handle }` has two default outgoing channels: `{ $first }` and `{ $again }`
cr301-label-second = second default outgoing channel
cr301-label-first = first marked here
cr301-fix = Remove the second `default_outgoing`
cr301-help = an employee writes first from one number: keep `default_outgoing = true` on one channel
cr302-message = `{ $handle }` cannot write first from `{ $id }`: access is `{ $level }`
cr302-label-mark = marked default outgoing here
cr302-label-level = level is `{ $level }`
cr302-fix = Give it `read_send`
cr302-help = set level = "read_send", or move the mark to a channel the employee can send from
cr303-message = `{ $handle }` can send from { $count } channels but has no default outgoing one
cr303-label = sends from { $channels }
cr303-help = mark one: [channels.{ $channel }.access] { $handle } = {"{"} level = "read_send", default_outgoing = true {"}"}

## Assignment of the responsible (CR201-CR208)

label-mode-first-responder = mode is first_responder
cr201-message = `weight` only applies in round_robin mode
cr201-label = weight given here
cr201-fix = Remove the weight
cr201-help = remove the weight, or set mode = "round_robin"
cr202-message = `after_close` only applies in round_robin mode
cr202-label = set here
cr202-fix = Remove `after_close`
cr202-help = remove `after_close`: in first_responder mode a message after a closed deal always creates a new deal
cr203-message = assignment has no members
cr203-label = nobody would be responsible for new deals
cr203-help = list at least one employee: members = [{"{"} employee = "bruce" {"}"}]
cr204-message = `{ $handle }` takes new deals on `{ $id }` but has `{ $level }` access there
cr204-label-member = assignment member
cr204-label-level = `{ $handle }` has `{ $level }` on `{ $id }`
cr204-fix = Give `{ $handle }` `read_send`
cr204-help-keep-own = to keep `{ $handle }` `{ $level }` on `{ $id }`, remove them from this channel's assignment
cr204-help-keep = to keep `{ $handle }` `{ $level }` on `{ $id }`, give the channel an assignment of its own without them ([channels.{ $id }.assignment])
cr204-help-send = give `{ $handle }` read_send on `{ $id }`: [channels.{ $id }.access] { $handle } = "read_send"
cr204-help-keep-first = { $keep }; or, if they should answer there, { $send }
cr204-help-send-first = { $send }; or, { $keep }
cr205-message = nobody is responsible for new deals on channel `{ $id }`
cr205-label = enabled channel without an assignment
cr205-help = add an integration-wide [assignment] or a [channels.{ $id }.assignment] table
cr206-message = the weights add up to { $cycle } deals per cycle; the limit is { $limit }
cr206-label = { $cycle } deals per cycle
cr206-help = weights are proportions: divide them by their common factor
cr207-message = `when_nobody = "{ $when }"` never applies here
cr207-label = nobody is ever skipped
cr207-help = set `skip_unavailable = true` or a member's `max_open`, or remove `when_nobody`
cr208-message = `assign_anyway` changes nothing without `skip_unavailable`
cr208-label = only `max_open` skips here, and a limit is never exceeded
cr208-help = set `skip_unavailable = true`, or write `when_nobody = "unassigned"`

## Spec version, channels and their addresses (CR015, CR601-CR610)

list-or = {" "}or{" "}
label-transport = transport is { $transport }
cr015-message = spec version { $version } is not supported
cr015-label = this chatroute reads version { $supported }
cr015-help = write version = { $supported }, or upgrade chatroute
cr608-message = the integration is enabled but no channel is
cr608-label = no channel with enabled = true
cr608-help = enable a channel, or set [integration] enabled = false
missing-address-message = { $transport } channel `{ $id }` has no { $allowed }
missing-address-label = { $transport } channels need { $allowed }
cr601-help = add the channel's number: phone = "+7 999 000-00-01"
cr603-help-telegram = add the bot's username: handle = "@acme_shop_bot"
cr603-help = add the account handle: handle = "@acme.art"
cr609-help = add the id Wazzup shows for the channel: id = "212345678"
cr604-message-instagram = `{ $value }` is not a valid Instagram handle
cr604-help-instagram = handles look like "@acme.art"; no spaces, no leading or trailing dot, no `..`
cr604-message-telegram = `{ $value }` is not a valid Telegram bot username
cr604-help-telegram = bot usernames look like "@acme_shop_bot"
cr604-message-tgapi = `{ $value }` is not a valid Telegram username
cr604-help-tgapi = usernames look like "@ivan_petrov"
cr610-message = `{ $value }` is not a valid { $transport } channel id
cr610-help = copy the id from the channel list in Wazzup (or `chatroute wazzup pull`)
rule-instagram-handle = 1-30 letters, digits, `.` or `_`, after an optional `@`
rule-telegram-bot = a bot's username: 5-32 letters, digits or `_`, starting with a letter, ending in `bot`
rule-telegram-user = 5-32 letters, digits or `_`, starting with a letter, after an optional `@`
rule-vk-id = the community's numeric id, e.g. 212345678
rule-avito-id = the numeric user id, e.g. 123456789
rule-wazzup-id = 1-64 letters, digits, `_` or `-`, as Wazzup shows it
cr605-message = { $transport } channels have no `{ $key }`
cr605-label = `{ $key }` { $why }
cr605-label-foreign = is for another transport
cr605-label-second = a second address; a channel has one
cr605-help = write the channel's address as { $allowed }, or fix `transport`

## Suggestions

did-you-mean = did you mean `{ $suggestion }`?
fix-change-to = Change to `{ $suggestion }`

## New deals' stage (CR501-CR503)

cr501-message = new deals cannot start in the Unsorted stage (`{ $stage }`)
cr501-label = the Unsorted stage
cr501-help = pick a working stage such as "New lead": the widget exists to skip Unsorted
cr502-message = new deals cannot start in a closed stage (`{ $stage }`)
cr502-label = closed stage (won 142 / lost 143)
cr502-help = pick an open stage such as "New lead"
cr503-message = no pipeline and stage for new deals on channel `{ $id }`
cr503-label = enabled channel without `new_deals`
cr503-help = set [defaults] new_deals = {"{"} pipeline = "Sales", stage = "New lead" {"}"} or `new_deals` in [channels.{ $id }]

## Global chat (CR401, CR402)

role-round-robin-member = round-robin member
role-first-responder = first responder
cr401-message = chat admins only exist with visibility `own_and_unassigned`
cr401-label-admins = admins listed here
cr401-label-visibility = everyone already sees every dialog
cr401-help = remove `admins`, or set visibility = "own_and_unassigned"
cr402-message = chat admin `{ $admin }` is also a { $role }
cr402-label = chat admin
cr402-help = an admin sees every dialog and cannot track their own: keep admins as observers, or drop them from the assignment

## Phone numbers (CR602, CR606, CR607)

cr602-message = `{ $value }` is not a valid phone number
cr602-label = not a valid international number
cr602-help = write the number in international form, e.g. "{ $meant }"
cr602-help-digits = check the digits: libphonenumber knows no such number
cr606-message = `{ $region }` is not an ISO 3166-1 alpha-2 region code
cr606-label = unknown region
cr606-help = use two upper-case letters, e.g. "RU", "KZ", "JP"
cr607-message = clients in { $region } (+{ $code }) may write numbers starting with 8, which the 8 -> +7 rewrite would mangle
cr607-label = rewrite is on
cr607-help = set to_international = false if these clients write without `+`

## Table size (CR016)

cr016-message = the routing table could be { $size } MiB; a runtime loads at most { $limit } MiB
cr016-label = { $employees } employees x { $channels } channels
cr016-label-defaults = everyone's level on every channel
cr016-help = give access per channel to those who work there instead of a bulk level, or split the account

## Working hours (CR901-CR909) and reassignment (CR209-CR214)

label-here = here
unreadable-not-an-interval = an interval is `HH:MM-HH:MM`, e.g. "09:00-18:00"
unreadable-not-a-time = `{ $text }` is not a time `HH:MM` from 00:00 to 24:00
unreadable-starts-at-24 = an interval cannot start at 24:00; start it at 00:00
unreadable-empty = the interval starts and ends at the same time
unreadable-not-a-day = `{ $text }` is not a day: mon, tue, wed, thu, fri, sat, sun
unreadable-backwards = a range of days runs from Monday to Sunday: `{ $from }-{ $to }`
unreadable-not-a-date = `{ $text }` is not a date `YYYY-MM-DD`
unreadable-not-a-duration = `{ $text }` is not a duration: a whole number and s, m or h, e.g. "15m"
unreadable-duration-out-of-range = `{ $text }` is outside 1s to 30 days
cr901-message = `{ $zone }` is not a time zone of the IANA database
cr901-label = unknown zone
cr901-help = write the zone as Area/City, e.g. "Europe/Moscow", "Asia/Almaty", "Asia/Tokyo"
cr909-message = schedule `{ $name }` has no time zone
cr909-label = hours of which zone?
cr909-help = set `timezone = "Europe/Moscow"` in [integration] (for every schedule) or in this schedule
cr902-message = bad interval in `{ $name }`: { $why }
cr902-help = write intervals as "HH:MM-HH:MM", e.g. "09:00-18:00"; "20:00-08:00" runs past midnight
cr903-message-day = bad day in `{ $name }`: { $why }
cr903-help-day = name a day (mon, tue, wed, thu, fri, sat, sun) or a range from Monday towards Sunday (mon-fri)
cr903-message-date = bad date in `{ $name }`: { $why }
cr903-help-date = write dates off as "YYYY-MM-DD", e.g. "2027-01-01"
cr905-message = `{ $handle }` works to schedule `{ $name }`, which is not defined
cr905-label = no [schedules] table of this name
cr905-help = define [schedules.{ $name }], or name one of the schedules defined
cr906-message = schedule `{ $name }` is never open
cr906-label = no day has hours
cr906-help = give it days and hours, e.g. mon-fri = "09:00-18:00"; everyone on it would never get a deal
cr907-message = no employee works to schedule `{ $name }`
cr907-label = defined here
cr907-help = set `schedule = "{ $name }"` on the employees it is for, or remove it
cr908-message-some = `{ $handle }`'s working hours do not apply in every assignment of theirs
cr908-message-none = `{ $handle }`'s schedule changes nothing: no assignment of theirs skips the unavailable
cr908-label-hours = working hours set here
cr908-label-some = deals here reach them outside their hours: unavailable members are not skipped
cr908-label-none = this assignment never skips anyone unavailable
cr908-help-some = set `skip_unavailable = true` in that assignment, or remove `skip_unavailable = false` there to follow [assignment]
cr908-help-none = set `skip_unavailable = true` in the assignment, so deals wait for the hours, or remove the schedule
cr904-message = intervals of `{ $name }` overlap on { $day }
cr904-label-this = this interval
cr904-label-other = overlaps this one
cr904-help = the hours are the union of both; merge them into one interval to say so
cr209-message = `returning_clients` only applies in round_robin mode
cr209-help = remove it: in first_responder mode the deal goes to whoever answers first, its owner too
cr210-message = bad `reassign_after`: { $why }
cr210-help = write a whole number and a unit: "90s", "15m", "2h"
cr211-message = deals are passed on after { $seconds } s without a reply
cr211-label = under a minute
cr211-help = a manager rarely answers within a minute; "15m" is common (seconds are for tests)
cr212-message = `reassign_after` only applies in round_robin mode
cr212-help = remove it: a first-responder deal has nobody responsible until someone answers, so nobody to pass it from
cr213-message = `reassign_after` with a single member changes nothing
cr213-label = nobody else to pass a deal to
cr213-help = add members, or remove `reassign_after`
cr214-message = `max_reassignments` without `reassign_after` changes nothing
cr214-help = set `reassign_after = "15m"` to pass unanswered deals on, or remove `max_reassignments`

## Employees and identifiers (CR014 for ids, CR101-CR104)

cr014-message-id = amoCRM id above 2^53 - 1 (9007199254740991)
cr014-label-id = no amoCRM id is this large
cr014-help-id = check the id in amoCRM; ids above 2^53 - 1 change when read as JSON numbers (JavaScript)
cr101-message-member = unknown employee `{ $handle }` in assignment member
cr101-message-access = unknown employee `{ $handle }` in access entry
cr101-message-admin = unknown employee `{ $handle }` in chat admin
cr101-label = not a handle under [employees]
cr101-help = add `{ $handle }` under [employees] or use an existing handle
cr102-message-handle = `everyone` cannot be an employee handle
cr102-label-handle = reserved for bulk access
cr102-help-handle = rename this employee, e.g. `everyone_1`; `everyone` in an access table means every employee
cr102-message-member = `everyone` cannot be an assignment member
cr102-message-admin = `everyone` cannot be a chat admin
cr102-label = `everyone` is only a key of access tables
cr102-help = list the employees one by one
cr103-message-member = `{ $handle }` is listed twice in the assignment
cr103-help-member = remove one entry; to give a member more deals, raise its `weight`
cr103-message-admin = `{ $handle }` is listed twice in the admins list
cr103-help-admin = remove one entry
cr103-label-again = listed again here
cr103-label-first = first listed here
cr104-message-handle = employee handle `{ $id }` holds characters an identifier cannot
cr104-message-channel = channel id `{ $id }` holds characters an identifier cannot
cr104-label = 1 to { $max } letters, digits, `_`, `-`, `.`; starting with a letter or digit
cr104-help = ids become state keys and appear in CI logs: rename it, e.g. `wa-retail`
cr104-message-account = account `{ $account }` is not an amoCRM subdomain
cr104-label-account = lowercase letters, digits and hyphens only
cr104-help-account = write the subdomain alone: `acme` of `acme.amocrm.ru`

## The Wazzup account (CR801-CR805)

label-not-listed = not listed here
cr801-message = channel `{ $id }` is not in the Wazzup account
cr801-label = no { $transport } channel of the account has this address
cr801-help-none = the account has no { $transport } channel: connect it in Wazzup, then pull the snapshot again
cr801-help = the account's { $transport } channels: { $channels }
cr802-message = channel `{ $id }` is a { $theirs } channel in Wazzup, not { $ours }
cr802-label = Wazzup says `{ $theirs }`
cr802-label-address = this address
cr802-help = write transport = "{ $theirs }"
cr803-message = channel `{ $id }` is `{ $state }` in Wazzup: its messages do not arrive
cr803-label = state `{ $state }`
cr804-message = { $count } channel(s) of the Wazzup account are not in the spec: { $channels }
cr804-help = add them as channels (`enabled = false` keeps one out of the integration); `chatroute init --wazzup` writes them all
cr805-message-twice = channel `{ $id }` gets Wazzup channelId `{ $wazzup_id }`, which channel `{ $first }` has too
cr805-message-spec = channel `{ $id }` gets Wazzup channelId `{ $wazzup_id }`, which is the id of a spec channel
cr805-label = matched in the snapshot here
cr805-help = pull the snapshot again (chatroute wazzup pull); for a spec channel of that id, rename it
wazzup-state-init = the channel is starting; wait a minute and pull the snapshot again
wazzup-state-disabled = the channel is turned off in Wazzup (removed from the subscription); turn it on there, or set `enabled = false`
wazzup-state-phone-unavailable = Wazzup has no connection to the phone; check that it is on and online
wazzup-state-qr = the QR code must be scanned; open the channel in Wazzup and scan it with the channel's phone
wazzup-state-open-elsewhere = the channel is authorized in another Wazzup account; log it out there
wazzup-state-not-enough-money = the channel is not paid; top up the Wazzup balance
wazzup-state-foreign-phone = the QR code was scanned by another phone number; scan it with the channel's own phone
wazzup-state-unauthorized = the account is not authorized; log in to it again in Wazzup
wazzup-state-wait-for-password = Wazzup waits for the two-factor password; enter it in Wazzup
wazzup-state-unknown = a state this chatroute does not know; see the channel in Wazzup

## The amoCRM account (CR701-CR712; CR501 and CR502 by the stage's type)

cr701-message = pipeline `{ $pipeline }` is not in account `{ $account }`
cr701-label = no such pipeline
cr701-help = pipelines of the account: { $known }
cr702-message = pipeline `{ $pipeline }` has no stage `{ $stage }`
cr702-label = no such stage in this pipeline
cr702-help = stages of `{ $pipeline }`: { $known }
cr703-message-pipeline = several pipelines are called `{ $name }`
cr703-label-pipeline = pipelines { $ids }
cr703-help-pipeline = write the pipeline's id instead of its name
cr703-message-stage = `{ $pipeline }` has several stages called `{ $name }`
cr703-label-stage = stages { $ids }
cr703-help-stage = write the stage's id instead of its name
cr704-message = stage { $stage } belongs to pipeline `{ $owner }`, not `{ $pipeline }`
cr704-label-stage = a stage of `{ $owner }`
cr704-label-pipeline = pipeline `{ $pipeline }`
cr704-help = stages are per pipeline in amoCRM: name the pipeline the stage belongs to, or a stage of this one
cr705-message = account `{ $account }` has no user { $id }
cr705-label = no such user id
cr705-help = copy the id from amoCRM (Settings -> Users), or remove `crm_user` to match by name or email
cr706-message = no CRM user is called `{ $name }` or has its email
cr706-label = matches no user of the account
cr706-help = write `crm_user = <id>`, or the name exactly as in amoCRM, or `email`
cr707-message = { $count } CRM users match `{ $name }`: { $ids }
cr707-label = matches several users
cr707-help = write `crm_user = <id>` to pick one
cr708-message = `{ $handle }` is CRM user { $id } ({ $name }), who is deactivated
cr708-label = inactive in amoCRM
cr708-help = deals and dialogs given to a deactivated user go unanswered: remove the employee or reactivate the user
cr709-message = { $count } active CRM user(s) are not in the spec: { $users }
cr709-help = add them as employees if they should read or answer dialogs
cr710-message = { $count } contact number(s) are valid foreign numbers the 8 -> +7 rewrite would change: { $examples }
cr710-help = these clients wrote their country code without `+`; set to_international = false or fix the numbers in amoCRM
cr711-message = the snapshot is of account `{ $snapshot }`, the spec of `{ $spec }`
cr711-label = snapshot: `{ $snapshot }`
cr711-help = pull this account's snapshot: chatroute crm pull --account { $spec } -o ...
cr712-message = pipeline `{ $pipeline }` ({ $id }) is archived in account `{ $account }`
cr712-label = archived: takes no new deals
cr712-help = pick an active pipeline, or restore this one in amoCRM (Settings -> Pipelines)
cr501-message-crm = `{ $stage }` is the Unsorted stage of `{ $pipeline }` (amoCRM status type 1)
cr501-label-crm = status { $id }, type 1: Unsorted
cr501-help-crm = pick a working stage such as the pipeline's first open one
cr502-message-crm = `{ $stage }` is a closed stage of `{ $pipeline }` (status { $id })
cr502-label-crm = won (142) or lost (143)
cr502-help-crm = pick an open stage

## The file and its TOML (CR001-CR003, CR014 for integers)

cr001-message = TOML syntax error: { $message }
cr001-help = see { $spec } for the syntax
cr001-message-unclosed = TOML syntax error: unclosed `{ $open }`: this { $what } never ends
cr001-label-open = this `{ $open }` is never closed
cr001-label-close = expected `{ $close }` here
cr001-help-unclosed = add `{ $close }` after `{ $after }` to close the { $what }
cr001-no-digits = an integer literal needs digits after its prefix
cr001-not-a-digit = `{ $bad }` is not a digit of this integer (TOML integers use ASCII digits)
toml-inline-table = inline table
toml-table-header = table header
toml-array = array
toml-multi-line-string = multi-line string
toml-string = string
cr002-message-nul = file contains a NUL byte; this looks like binary data
cr002-label-nul = NUL byte here
cr002-help-nul = a spec is a UTF-8 TOML text file
cr002-message = invalid UTF-8 at byte { $at }
cr002-label = not UTF-8
cr002-help = save the file as UTF-8 (TOML files are UTF-8 by definition)
cr003-message = file is larger than { $limit } bytes, the limit for specs
cr003-label = file starts here
cr003-help = split the account's spec or check that this is the file you meant
cr014-message-integer = integer `{ $written }` is outside TOML's range
cr014-label-integer = TOML integers are 64-bit signed
cr014-help-integer = TOML integers run from -9223372036854775808 to 9223372036854775807

## The schema (CR010-CR014)

top-level = the top level
see-schema = see `chatroute schema`
type-table = table
type-array = array
type-string = string
type-integer = integer
type-number = number
type-boolean = boolean
type-float = float
type-nothing = nothing
type-value = value
cr010-message = unknown key `{ $key }` in { $path }
cr010-label = not a key chatroute knows here
cr010-help = allowed keys here: { $allowed }
cr011-message = missing key `{ $key }` in { $path }
cr011-label = { $path } needs `{ $key }`
cr011-label-file = in this file
cr012-message = { $path } must be { $article } { $expected }, found { $found }
cr012-label = this is { $article } { $found }
cr012-help = write { $article } { $expected } here
cr012-message-unusable = { $path } cannot be used: { $why }
cr012-label-unusable = not a value of the expected type
cr012-help-unusable = see `chatroute schema` for what goes here
cr013-message = `{ $value }` is not a valid value for { $path }
cr013-label = expected one of { $listed }
cr013-help = valid values: { $listed }
cr014-message = { $path }: { $problem }
cr014-label = outside the allowed range
constraint-minimum = must be at least { $limit }, found { $found }
constraint-maximum = must be at most { $limit }, found { $found }
constraint-min-length = must be at least { $limit } character(s) long
constraint-min-items = must have at least { $limit } item(s)

## Working hours in words (hovers, the report)

never-open = never open
days-off = off { $dates }
day-mon = mon
day-tue = tue
day-wed = wed
day-thu = thu
day-fri = fri
day-sat = sat
day-sun = sun

## The starter spec's comments (`chatroute init`)

init-schema = The schema beside this file gives editors completion and checks as you
    type (`chatroute init -o FILE` writes it; `chatroute schema > { $file }` does too).
init-intro = chatroute spec: how messenger channels feed amoCRM. `chatroute check` this file
    after every change; `chatroute explain CODE` explains any diagnostic.
init-account = amoCRM subdomain
init-timezone = working hours and the dialog copy's hours and days
init-schedules = Working hours: an employee with `schedule = "office"` counts as away outside them.
init-employees = handle -> person; crm_user is the amoCRM user id
init-new-deals = Where deals from new contacts start: never Unsorted, never a closed stage.
init-access = every employee on every channel, unless stated
init-assignment = who becomes responsible; a channel may override
init-mode = or "first_responder"
init-after-close = or "append_to_last_closed"
init-skip-unavailable = skip members marked unavailable or out of their hours
init-when-nobody = or "unassigned": the deal waits in the global chat
init-returning-clients = a client who writes again goes to their employee
init-reassign-after = no reply within 15 minutes: the next member
init-member-weight = A member: {"{"} employee = "...", weight = 2 {"}"} takes two deals a turn; max_open = 20 caps open deals.
init-one-channel = One channel to start with: replace the number with your WhatsApp number.
init-channel-stage = this channel's own stage
init-read-only = reads the channel, cannot answer
init-default-outgoing = writes first from here
init-channel-assignment = This channel's own assignment, instead of [assignment]:
init-visibility = or "all"
init-admins = see every dialog (own_and_unassigned only)
init-to-international = 8XXXXXXXXXX -> +7XXXXXXXXXX; off if clients in Asia write without +
init-client-regions = where clients write from (warns where the rewrite misreads)
init-unknown-transport = Wazzup channel { $channel }: a transport chatroute does not know
init-wazzup-state = Wazzup state: { $state }

## The routing change as Markdown (`diff --format markdown`)

md-routing-changes = Routing changes
md-no-change = No routing change.
md-count = { $count } routing change(s).
md-channel-heading = Channel { $id } ({ $name })
md-shares-header = | member | share before | share after |
md-access = Access
md-access-header = | employee | channel | before | after |
md-employees = Employees
md-integration = Integration
md-added = added
md-removed = removed
md-changed = changed
md-first-responder = first responder
md-of-employee = { $what } of { $handle }
what-member = member { $handle }
what-weight-of = weight of { $handle }
what-access-on = access on { $channel }
what-name = name
what-address = address
what-new-deals = new deals
what-assignment-mode = assignment mode
what-member-order = member order
what-after-close = after close
what-employee = employee
what-default-outgoing = default outgoing
what-account = account
what-enabled = enabled
what-channel = channel
what-global-chat-visibility = global chat visibility
what-chat-admins = chat admins
what-dialog-copy = dialog copy
what-phones-to-international = phones to international

## Account snapshots

crm-snapshot-malformed = not a readable CRM snapshot: { $why }
crm-snapshot-not-one = this file is not a chatroute CRM snapshot (see `chatroute crm pull`)
snapshot-version = snapshot format version { $found }; this chatroute reads version { $supported }: pull it again
wazzup-snapshot-malformed = not a readable Wazzup snapshot: { $why }
wazzup-snapshot-not-one = this file is not a chatroute Wazzup snapshot (see `chatroute wazzup pull`)
wazzup-snapshot-version = Wazzup snapshot format version { $found }; this chatroute reads version { $supported }: pull it again

## The help line of formats with one text per diagnostic (SARIF, GitHub, editors)

help-line = help: { $help }

## The routing change for a terminal (`diff`)

diff-channel = channel { $id }
diff-employee = employee { $handle }
diff-integration = integration
diff-included = (included)
diff-excluded = (excluded)
diff-count = { $count } routing change(s)

## What the TOML parser expected (its own phrases are in toml.ftl)

toml-expected = expected { $items }
