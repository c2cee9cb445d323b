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
