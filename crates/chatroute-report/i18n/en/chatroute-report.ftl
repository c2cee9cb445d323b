# The report page in English.

title = chatroute: routing of { $account }
title-with-errors = chatroute: routing of a spec with errors
errors = Errors
other-warnings = Other warnings
fix-errors-first = Fix the errors above to see the routing.
routing-of = Routing of { $account }
summary = { $channels } channels, { $employees } employees; { $disabled ->
    [yes] the integration is disabled;{" "}
   *[no] {""}
}{ $errors } errors, { $warnings } warnings
spec-with-errors = A spec with errors
line = line { $place }
help = help: { $help }
channels = Channels
wazzup-other-transport = under transport { $transport }
wazzup-missing = not in the Wazzup account
transport = transport
address = address
in-integration = in the integration
yes = yes
no = no
no-excluded = no (excluded)
new-deals = new deals
responsible = responsible
stage-with-ids = { $pipeline } / { $stage } (amoCRM ids { $pipeline_id } / { $stage_id })
mode-round-robin = round robin, by weight
mode-first-responder = the first of the group to answer
skips-unavailable = unavailable members are skipped
when-nobody = when nobody can: { $when }
returning-to-owner = a returning client goes to their owner
reassign = unanswered after { $after }: passed to the next member (at most { $times } times)
member = member
share = share of new deals
max-open = open deals at most
working-hours = working hours
first-to-answer = first to answer
hours-not-applied = (not applied here: unavailable members are not skipped)
always = always
level-read-send = read + send
level-read = read
who-may-read = Who may read and answer
star-marks = ★ marks the channel an employee writes first from.
employee = employee
shared-chat-cards-phones = Shared chat, deal cards, phones
global-chat-shows = global chat shows
visibility-all = every dialog to everyone (of the channels each may read)
visibility-own = own dialogs and those without a responsible
chat-admins = chat admins (see every dialog)
copy-dialog = dialog copied into the deal card
copy-each-message = each_message
copy-hourly = hourly
copy-daily = daily
copy-off = off
to-international = 8XXXXXXXXXX rewritten to +7
client-regions = clients' regions
