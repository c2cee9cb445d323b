# Почему не удалось получить данные из amoCRM или Wazzup, по-русски.
# Сообщения никогда не содержат токен или ключ.

crm-expired = amoCRM отклонил токен (HTTP 401 на { $path }): срок истёк или токен отозван; создайте новый долгосрочный токен
crm-forbidden = amoCRM запрещает это (HTTP 403 на { $path }): пользователь токена не администратор аккаунта, или amoCRM заблокировал этот IP за превышение лимита запросов
crm-not-paid = amoCRM ответил HTTP 402 на { $path }: аккаунт не оплачен; продлите подписку
crm-status = amoCRM ответил HTTP { $status } на { $path }
crm-retries-exhausted = amoCRM продолжал отвечать HTTP { $status } на { $path }; после { $attempts ->
    [one] { $attempts } попытки
   *[other] { $attempts } попыток
} прекращаю
crm-bad-response = неожиданный ответ от { $path }: { $why }
crm-transport = не удаётся связаться с amoCRM ({ $path }): { $why }
crm-foreign-link = ссылка на следующую страницу ведёт на другой хост ({ $href }); токен туда не отправляю
crm-repeated-link = ссылка на следующую страницу { $href } уже прочитана; постраничный вывод amoCRM зациклился, останавливаюсь
crm-too-many-pages = у { $path } больше { $pages } страниц; останавливаюсь (правильно ли сервер делит на страницы?)
crm-bad-account = аккаунт `{ $account }` — не поддомен amoCRM (строчные латинские буквы, цифры, дефисы: `acme` из acme.amocrm.ru)
insecure-url-token = базовый URL { $url } отправил бы токен открытым текстом; используйте https:// (http:// — только на адрес loopback)
insecure-url-key = базовый URL { $url } отправил бы ключ открытым текстом; используйте https:// (http:// — только на адрес loopback)
wazzup-unauthorized = Wazzup отклонил ключ API (HTTP 401): он неверен или отозван; скопируйте его заново из настроек интеграции Wazzup
wazzup-forbidden = Wazzup не даёт этому ключу доступ к списку каналов (HTTP 403): используйте собственный ключ API аккаунта
wazzup-not-paid = Wazzup ответил HTTP 402: аккаунт не оплачен
wazzup-retries-exhausted = Wazzup продолжал отвечать HTTP { $status }; после { $attempts ->
    [one] { $attempts } попытки
   *[other] { $attempts } попыток
} прекращаю
wazzup-status = Wazzup ответил HTTP { $status }
wazzup-bad-response = неожиданный ответ от Wazzup: { $why }
wazzup-transport = не удаётся связаться с Wazzup: { $why }
