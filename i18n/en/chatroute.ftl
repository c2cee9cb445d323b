# The command line's own messages in English.

error = error: { $message }
checked = checked { $files } file(s): { $errors } error(s), { $warnings } warning(s)
skipped-not-a-spec = skipped { $path }: not a chatroute spec
cannot-read = cannot read { $path }: { $error }
cannot-write = cannot write { $path }: { $error }
cannot-write-stdout = cannot write to standard output: { $error }
output-is-input = the output { $output } is the input { $input }; not overwriting it
compile-several-need-dir = several specs compile into a directory: give `-o DIR` (an existing directory)
compile-has-errors = { $path } has errors; no table written
diff-has-errors = { $path } has errors; cannot compare it
init-wrote = wrote { $spec } and { $schema } beside it
explain-unknown-code = unknown diagnostic code `{ $code }`: codes look like CR101, and `chatroute check` names the code of each problem
no-secret = no { $hint }: set { $env } or pass --token-file
secret-amocrm-token = token (an account administrator's long-lived token)
secret-wazzup-key = API key (Wazzup: Settings -> API)
warning-plain-http-token = warning: { $url } is plain http: the token travels unencrypted (allowed to loopback only)
warning-plain-http-key = warning: { $url } is plain http: the key travels unencrypted (allowed to loopback only)
pull-failed = { $why }; { $path } left untouched
crm-wrote = wrote { $path }: { $users } users, { $pipelines } pipelines{ $contacts ->
    [-1] {""}
   *[other] , { $contacts } contacts
}
wazzup-wrote = wrote { $path }: { $channels } channels
route-first-of = first to answer of: { $group }
route-unassigned = unassigned (nobody can take it)
route-events-in-memory = --events plays a timeline in memory: leave out --state
route-unknown-channel = channel `{ $channel }` is not routed by this table (unknown, excluded, or the integration is disabled)
route-not-a-responder = `{ $employee }` is not a first responder of channel `{ $channel }`
route-unknown-employee = no employee `{ $employee }` in this table
route-unavailable = marked unavailable
route-at-capacity = at the open-deal limit
route-cannot-take = `{ $employee }` cannot take deal `{ $deal }` now: { $why }
route-deal-conflict = deal `{ $deal }` is held by `{ $owner }`, who is not a member here (decided on another channel, or a reload removed them): close it first, or use a new deal id
route-deal-id-required = channel `{ $channel }` limits open deals or passes unanswered ones on: give the deal's `deal` id
timeline-note = note written to { $deal }: { $period }, { $count } message(s)
timeline-message = message in { $deal }
timeline-deal = deal { $deal } -> { $employee }
timeline-deal-first-of = deal { $deal } -> first of { $group }
timeline-deal-waits = deal { $deal } -> nobody can take it: it waits
timeline-reply = { $employee } replied in { $deal }
timeline-reply-stops = { $employee } replied in { $deal }: its timer stops
timeline-closed = { $deal } closed ({ $employee } had it)
timeline-closed-not-open = { $deal } closed (not open)
timeline-available = { $employee } available
timeline-unavailable = { $employee } unavailable
timeline-wait = { $seconds } s pass
timeline-bad-step = expected `deal ID`, `message ID`, `reply ID HANDLE`, `close ID`, `available HANDLE`, `unavailable HANDLE` or `wait 15m`
