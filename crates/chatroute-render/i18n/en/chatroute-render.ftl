# The reporters' own words in English.

help-label = help
line-too-long = at { $place }: { $label } (line too long to show)
