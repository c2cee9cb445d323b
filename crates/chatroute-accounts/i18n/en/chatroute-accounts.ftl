# Why a pull from amoCRM or Wazzup failed, in English. Messages never hold
# the token or the key.

crm-expired = amoCRM refused the token (HTTP 401 on { $path }): it expired or was revoked; create a new long-lived token
crm-forbidden = amoCRM forbids this (HTTP 403 on { $path }): the token's user is not an account administrator, or amoCRM blocked this IP for exceeding its request limits
crm-not-paid = amoCRM answered HTTP 402 on { $path }: the account is not paid; renew the subscription
crm-status = amoCRM answered HTTP { $status } on { $path }
crm-retries-exhausted = amoCRM kept answering HTTP { $status } on { $path }; gave up after { $attempts } attempts
crm-bad-response = unexpected response from { $path }: { $why }
crm-transport = cannot reach amoCRM ({ $path }): { $why }
crm-foreign-link = the next page link points to another host ({ $href }); refusing to send the token there
crm-repeated-link = the next page link { $href } was already read; amoCRM's pagination loops, stopping
crm-too-many-pages = { $path } has more than { $pages } pages; stopping (is the server paginating correctly?)
crm-bad-account = account `{ $account }` is not an amoCRM subdomain (lowercase letters, digits, hyphens: `acme` of acme.amocrm.ru)
insecure-url-token = base URL { $url } would send the token in clear; use https:// (plain http:// only to a loopback address)
insecure-url-key = base URL { $url } would send the key in clear; use https:// (plain http:// only to a loopback address)
wazzup-unauthorized = Wazzup refused the API key (HTTP 401): it is wrong or was revoked; copy it again from Wazzup's integration settings
wazzup-forbidden = Wazzup forbids this key access to the channel list (HTTP 403): use the account's own API key
wazzup-not-paid = Wazzup answered HTTP 402: the account is not paid
wazzup-retries-exhausted = Wazzup kept answering HTTP { $status }; gave up after { $attempts } attempts
wazzup-status = Wazzup answered HTTP { $status }
wazzup-bad-response = unexpected response from Wazzup: { $why }
wazzup-transport = cannot reach Wazzup: { $why }
