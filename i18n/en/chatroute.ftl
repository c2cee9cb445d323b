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
