# The editor's own words in English (diagnostics are chatroute-check's).

hover-not-an-employee = not under [employees]
hover-writes-first-from = writes first from: `{ $channel }`
hover-takes-deals-on = takes new deals on: { $channels }
hover-schedule-not-defined = not defined
hover-works = works `{ $schedule }`: { $hours }
completion-from-crm = from the CRM snapshot
rename-invalid-handle = `{ $handle }` is not a valid handle
rename-everyone = `everyone` is the access key for all employees, not a handle
rename-taken = an employee `{ $handle }` exists already: rename it first, or pick another name
hint-share = this member's share of the channel's new deals (weight / sum of weights)
hint-level = the entry's level: its own entry decides over `everyone`, and without `level` it is `read`
